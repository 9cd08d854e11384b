//! Refusal of an application with a statutory reason (不予登记, 婚姻登记条例 第6条, 第7条),
//! and its written notice (不予办理结婚登记通知单).

use serde::Serialize;

use hunyin_domain::refusal::refusal_reason;
use hunyin_domain::time::{rfc3339_utc, to_local};
use hunyin_domain::Status;
use hunyin_store::{self as db, appointments, offices, registration, DbConn};

use crate::applications::{audit_application, load, moved_on};
use crate::audit::Details;
use crate::auth::Staff;
use crate::error::{AppError, InvalidParam};

/// The written notice of a refusal, with its Chinese text.
#[derive(Debug, Clone, Serialize)]
pub struct RefusalNotice {
    pub reference: String,
    pub status: String,
    pub reason_code: String,
    pub basis: &'static str,
    pub note: String,
    pub refused_at: String,
    pub notice_text: String,
}

/// Refuses a checked-in application with a statutory reason and a note.
pub fn refuse(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
    reason: &str,
    note: &str,
) -> Result<RefusalNotice, AppError> {
    let mut bad = Vec::new();
    if refusal_reason(reason).is_none() {
        bad.push(InvalidParam::new(
            "reason_code",
            "invalid_reason_code",
            "under_age, not_voluntary, already_married, prohibited_kinship, no_jurisdiction or documents_inconsistent",
        ));
    }
    let len = note.trim().chars().count();
    if len == 0 || len > 1000 {
        bad.push(InvalidParam::new(
            "note",
            "invalid_note",
            "1-1000 characters: the facts found",
        ));
    }
    AppError::unless_invalid(bad)?;
    let app = load(conn, staff, reference)?;
    db::write_tx(conn, |c| -> Result<(), AppError> {
        let now = crate::clock::now();
        if !appointments::transition(c, app.id, Status::CheckedIn, Status::Refused, now)? {
            return Err(moved_on(c, "refuse", reference));
        }
        registration::refuse(c, app.id, reason, note.trim(), staff.id, now)?;
        appointments::deactivate_parties(c, app.id)?;
        audit_application(
            c,
            staff,
            app.id,
            "registration.refused",
            Details::none().with("reason_code", reason),
        )?;
        Ok(())
    })?;
    notice(conn, staff, reference)
}

/// The written notice of refusal (不予办理结婚登记通知单), as JSON with its Chinese text.
pub fn notice(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
) -> Result<RefusalNotice, AppError> {
    let app = crate::applications::load_any(conn, staff, reference)?;
    let Some((reason, note, _by, at)) = registration::refusal_of(conn, app.id)? else {
        return Err(AppError::not_found("The refusal")
            .with_detail("This application was not refused.", "该申请未被不予登记。"));
    };
    let office =
        offices::find(conn, &app.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    let parties = appointments::parties(conn, app.id)?;
    // The notice names both parties: a read of their data, audited like the application's.
    crate::applications::audit_application(
        conn,
        staff,
        app.id,
        "refusal.notice_read",
        Details::none(),
    )?;
    let (basis, wording) = refusal_reason(&reason)
        .map(|r| (r.basis, r.wording))
        .unwrap_or(("婚姻登记条例", ""));
    let local = to_local(at);
    let names = parties
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let text = format!(
        "不予办理结婚登记通知单\n\n{names}：\n\n你们于{}向本机关申请办理结婚登记。经审查，{wording}，\
         根据{basis}的规定，本机关决定不予办理结婚登记。\n\n审查情况：{note}\n\n\
         如对本决定不服，可以依法申请行政复议或者提起行政诉讼。\n\n{}\n{}\n申请编号：{}\n",
        local.format("%Y年%m月%d日"),
        office.name,
        local.format("%Y年%m月%d日"),
        app.reference,
    );
    Ok(RefusalNotice {
        reference: app.reference,
        status: app.status,
        reason_code: reason,
        basis,
        note,
        refused_at: rfc3339_utc(at),
        notice_text: text,
    })
}

//! The other ends of a divorce application: withdrawal (撤回) by either party up to and
//! including the last day of the cooling-off; refusal (不予办理离婚登记) with a statutory reason
//! of 条例 第12条 and its written notice; and the lapse (视为撤回) of applications not issued
//! by `issue_until`, a round of the sweep.

use chrono::{NaiveDate, NaiveDateTime};

use hunyin_domain::refusal::{divorce_refusal_reason, DIVORCE_REFUSAL_REASONS};
use hunyin_domain::time::{rfc3339_utc, to_local};
use hunyin_store::divorce::{self as store, Close};
use hunyin_store::{self as db, offices, DbConn};

use super::{
    audit_divorce, load, moved_on, not_received, views, DivorceRefusalNotice, DivorceView,
};
use crate::audit::{self, Details, Event};
use crate::auth::Staff;
use crate::clock::Clock;
use crate::error::{AppError, InvalidParam};

/// Withdraws application `reference` at the request of `party` (0 or 1), on or before the last
/// day of the cooling-off.
pub fn withdraw(
    conn: &mut DbConn,
    staff: &Staff,
    clock: &Clock,
    reference: &str,
    party: i64,
) -> Result<DivorceView, AppError> {
    if !(0..=1).contains(&party) {
        return Err(AppError::invalid(vec![InvalidParam::new(
            "party",
            "invalid_party",
            "0 or 1",
        )]));
    }
    let action = "withdraw the divorce application";
    let app = load(conn, staff, reference)?;
    if app.status != "received" {
        return Err(not_received(action, &app));
    }
    if clock.today() > app.cooling_off_ends {
        return Err(AppError::cooling_off_over(app.cooling_off_ends));
    }
    let done = db::write_tx(conn, |c| -> Result<store::Application, AppError> {
        let how = Close::Withdrawn {
            party: party as i32,
        };
        if !store::close(c, app.id, how, staff.id, clock.now())? {
            return Err(moved_on(c, action, &app));
        }
        super::visit::close_issue_visits(c, app.id, false)?;
        audit_divorce(
            c,
            staff,
            app.id,
            "divorce.withdrawn",
            Details::none().with("party", party),
        )?;
        store::find_by_reference(c, reference)?
            .ok_or_else(|| AppError::internal("withdrawn application not found"))
    })?;
    views::of(conn, &done)
}

/// Refuses a received application with a ground of 条例 第12条 and the facts found.
pub fn refuse(
    conn: &mut DbConn,
    staff: &Staff,
    clock: &Clock,
    reference: &str,
    reason: &str,
    note: &str,
) -> Result<DivorceRefusalNotice, AppError> {
    let mut bad = Vec::new();
    if divorce_refusal_reason(reason).is_none() {
        let codes: Vec<&str> = DIVORCE_REFUSAL_REASONS.iter().map(|r| r.code).collect();
        bad.push(InvalidParam::new(
            "reason_code",
            "invalid_reason_code",
            codes.join(", "),
        ));
    }
    if !(1..=1000).contains(&note.trim().chars().count()) {
        bad.push(InvalidParam::new(
            "note",
            "invalid_note",
            "1-1000 characters: the facts found",
        ));
    }
    AppError::unless_invalid(bad)?;
    let action = "refuse the divorce application";
    let app = load(conn, staff, reference)?;
    if app.status != "received" {
        return Err(not_received(action, &app));
    }
    db::write_tx(conn, |c| -> Result<(), AppError> {
        let how = Close::Refused {
            reason,
            note: note.trim(),
        };
        if !store::close(c, app.id, how, staff.id, clock.now())? {
            return Err(moved_on(c, action, &app));
        }
        super::visit::close_issue_visits(c, app.id, false)?;
        audit_divorce(
            c,
            staff,
            app.id,
            "divorce.refused",
            Details::none().with("reason_code", reason),
        )?;
        Ok(())
    })?;
    refusal_notice(conn, staff, reference)
}

/// The written notice of refusal (不予办理离婚登记通知单).
pub fn refusal_notice(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
) -> Result<DivorceRefusalNotice, AppError> {
    let app = load(conn, staff, reference)?;
    let (Some(reason), Some(note), Some(at)) = (
        app.refusal_reason.clone(),
        app.refusal_note.clone(),
        app.closed_at,
    ) else {
        return Err(AppError::not_found("The refusal").with_detail(
            "This divorce application was not refused.",
            "该离婚登记申请未被不予登记。",
        ));
    };
    let office =
        offices::find(conn, &app.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    let names = store::parties(conn, app.id)?
        .iter()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join("、");
    let (basis, wording) = divorce_refusal_reason(&reason)
        .map(|r| (r.basis, r.wording))
        .unwrap_or(("婚姻登记条例 第12条", ""));
    // The notice names the parties and the facts found: a read of their data.
    let details = Details::none().with("notice", "refusal");
    audit_divorce(conn, staff, app.id, "divorce.refusal_notice_read", details)?;
    let day = |d: NaiveDate| d.format("%Y年%m月%d日").to_string();
    let text = format!(
        "不予办理离婚登记通知单\n\n{names}：\n\n你们于{}向本机关申请办理离婚登记（受理编号：{}）。经审查，{wording}，\
         根据{basis}的规定，本机关决定不予办理离婚登记。\n\n审查情况：{note}\n\n\
         如对本决定不服，可以依法申请行政复议或者提起行政诉讼。\n\n{}\n{}\n",
        day(app.received_on),
        app.reference,
        office.name,
        day(to_local(at).date()),
    );
    Ok(DivorceRefusalNotice {
        reference: app.reference,
        status: app.status,
        reason_code: reason,
        basis,
        note,
        refused_at: rfc3339_utc(at),
        notice_text: text,
    })
}

/// Marks `lapsed` (视为撤回, 民法典 第1077条) every received application whose issue window
/// closed before `today`, each with its audit event, in one transaction; answers how many.
pub fn lapse_due(
    conn: &mut DbConn,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    db::write_tx(conn, |c| -> Result<usize, AppError> {
        let lapsed = store::lapse_due(c, today, now)?;
        for (id, office) in &lapsed {
            super::visit::close_issue_visits(c, *id, false)?;
            let subject = id.to_string();
            let mut event =
                Event::system("divorce.lapsed", office, ("divorce_application", &subject));
            event.details = Details::none().with("today", today);
            audit::record(c, event)?;
        }
        Ok(lapsed.len())
    })
}

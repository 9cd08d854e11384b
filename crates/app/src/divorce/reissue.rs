//! Reissue of a divorce certificate (补发离婚证, domain brief 5 and 8b): at the office that
//! registered the divorce, at one party's request, a `BL` number from the office's own
//! per-year `BL` counter; the number before it becomes `superseded`, never deleted. A party this
//! region's register no longer shows divorced (remarried, widowed) gets no reissue: their
//! marital status changed (a 婚姻登记记录证明 is issued instead).

use chrono::Datelike;
use serde::Serialize;

use hunyin_domain::certificate::{CertificateNumber, Kind};
use hunyin_domain::time::rfc3339_utc;
use hunyin_store::divorce::{self as store, DivorceCertificate};
use hunyin_store::{self as db, household, offices, DbConn};

use super::audit_divorce;
use crate::applications::COUNTER;
use crate::audit::Details;
use crate::auth::Staff;
use crate::certificates::next_number;
use crate::clock::Clock;
use crate::error::{AppError, InvalidParam};

/// A divorce certificate reissued.
#[derive(Debug, Clone, Serialize)]
pub struct DivorceReissueView {
    pub certificate_number: String,
    pub supersedes: String,
    pub status: String,
    pub reference: String,
    pub requested_by_party: i64,
    pub issued_at: String,
}

/// Reissues divorce certificate `number` (the current one) for `party`.
pub fn reissue(
    conn: &mut DbConn,
    staff: &Staff,
    clock: &Clock,
    number: &str,
    party: i64,
    note: &str,
) -> Result<DivorceReissueView, AppError> {
    let mut bad = Vec::new();
    if CertificateNumber::parse(number).is_none_or(|n| !n.kind.is_divorce()) {
        bad.push(InvalidParam::new(
            "certificate_number",
            "invalid_certificate_number",
            "L or BL + six-digit office code + -YYYY- + six-digit serial",
        ));
    }
    if !(0..=1).contains(&party) {
        bad.push(InvalidParam::new("party", "invalid_party", "0 or 1"));
    }
    if !(1..=500).contains(&note.trim().chars().count()) {
        bad.push(InvalidParam::new(
            "note",
            "invalid_note",
            "1-500 characters: why, and what was seen",
        ));
    }
    AppError::unless_invalid(bad)?;
    staff.require_role(&COUNTER)?;
    let old = store::certificate(conn, number)?
        .ok_or_else(|| AppError::not_found("The divorce certificate"))?;
    staff.require_office(&old.office_id)?;
    if old.status != "valid" {
        return Err(AppError::conflict(
            "invalid_transition",
            "Invalid transition",
            "当前状态不允许此操作",
        )
        .with_detail(
            format!("Cannot reissue: the certificate is {}.", old.status),
            format!("无法补发：该离婚证当前状态为 {}。", old.status),
        )
        .with_extension("current_status", &old.status));
    }
    let parties = store::parties(conn, old.application_id)?;
    let p = parties
        .get(party as usize)
        .ok_or_else(|| AppError::internal("a divorce without its parties"))?;
    if household::find(conn, &p.id_number)?.is_some_and(|r| r.marital_status != "divorced") {
        return Err(AppError::conflict(
            "marital_status_changed",
            "Marital status changed",
            "婚姻状况已变化",
        )
        .with_detail(
            "The register no longer shows the party divorced: issue a marriage-record certificate (婚姻登记记录证明) instead.",
            "户籍登记显示当事人婚姻状况已变化，不予补发离婚证，可出具婚姻登记记录证明。",
        ));
    }
    let office =
        offices::find(conn, &old.office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    let view = db::write_tx(conn, |c| -> Result<DivorceReissueView, AppError> {
        let now = clock.now();
        let year = clock.today().year();
        if !store::supersede(c, number)? {
            return Err(AppError::conflict(
                "invalid_transition",
                "Invalid transition",
                "当前状态不允许此操作",
            )
            .with_detail(
                "Cannot reissue: the certificate was superseded meanwhile.",
                "无法补发：该离婚证已被补发替代。",
            )
            .with_extension("current_status", "superseded"));
        }
        let (serial, new_number) = next_number(c, &office, year, Kind::ReissuedDivorce)?;
        store::insert_certificate(
            c,
            &DivorceCertificate {
                number: new_number.clone(),
                kind: Kind::ReissuedDivorce.prefix().into(),
                application_id: old.application_id,
                office_id: office.id.clone(),
                year,
                serial,
                status: "valid".into(),
                issued_by: staff.id,
                issued_at: now,
                supersedes: Some(number.to_owned()),
                requested_by_party: Some(party as i32),
                note: Some(note.trim().to_owned()),
            },
        )?;
        audit_divorce(
            c,
            staff,
            old.application_id,
            "divorce.certificate_reissued",
            Details::none()
                .with("certificate", &new_number)
                .with("supersedes", number)
                .with("party", party),
        )?;
        let app = store::by_id(c, old.application_id)?;
        Ok(DivorceReissueView {
            certificate_number: new_number,
            supersedes: number.to_owned(),
            status: "valid".into(),
            reference: app.reference,
            requested_by_party: party,
            issued_at: rfc3339_utc(now),
        })
    })?;
    Ok(view)
}

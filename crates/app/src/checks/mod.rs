//! Household checks of an application's parties (户籍及婚姻状况核查): the local register for
//! this region's residents, the partner instance (through the verifier seam) for others, and a
//! registrar's manual verification of the paper 户口簿 when no instance can answer.

use serde::Serialize;

use hunyin_domain::Status;
use hunyin_store::appointments::Appointment;
use hunyin_store::appointments::PartyRow;
use hunyin_store::household;
pub use hunyin_store::household::Check;
use hunyin_store::{self as db, DbConn};

use crate::applications::{audit_application, invalid_transition, load};
use crate::audit::Details;
use crate::auth::Staff;
use crate::error::{AppError, InvalidParam};
use crate::verification::Answer;

pub use hunyin_domain::marital::may_marry;
pub use run::run;

mod run;

pub(crate) fn checked_in(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
    action: &str,
) -> Result<Appointment, AppError> {
    let app = load(conn, staff, reference)?;
    if app.status != Status::CheckedIn {
        return Err(invalid_transition(action, &app.status));
    }
    Ok(app)
}

/// The sources whose answer is authoritative: this region's register, a marriage registered
/// here, a partner instance's register. A failure from one of them is not cleared by a later
/// `unavailable` and a manual verification, only by a supervisor's override (issue 14 §1).
pub const AUTHORITATIVE: [&str; 3] = ["local_register", "registrations", "partner"];

/// A supervisor's override of a failed party, with its reason and document.
pub const OVERRIDE: &str = "supervisor_override";

/// A check of `party` by `staff` now, to be filled in.
pub(crate) fn blank(app: &Appointment, staff: &Staff, party: i32, source: &str) -> Check {
    Check {
        id: 0,
        appointment_id: app.id,
        party_idx: party,
        source: source.to_owned(),
        outcome: "failed".into(),
        found: None,
        name_matches: None,
        marital_status: None,
        hukou_division_code: None,
        reason: None,
        note: None,
        checked_by: staff.id,
        checked_at: crate::clock::now(),
        document_reference: None,
        document_kind: None,
    }
}

/// Judges an answer (local or remote) for a party: passed, or
/// failed with the reason. A register whose hukou disagrees with the declared one is a failure
/// of its own (`hukou_mismatch`; domain brief §3: the 户口簿 must agree with the application).
fn judge(source: &str, party: &PartyRow, a: &Answer, app: &Appointment, staff: &Staff) -> Check {
    let reason = if !a.found {
        Some("not_in_register")
    } else if !a.name_matches {
        Some("name_mismatch")
    } else if a.pending_application {
        Some("pending_application")
    } else if !a.marital_status.as_deref().is_some_and(may_marry) {
        Some("married")
    } else if a.hukou_division_code.as_deref() != Some(party.hukou_division_code.as_str()) {
        Some("hukou_mismatch")
    } else {
        None
    };
    Check {
        outcome: if reason.is_none() { "passed" } else { "failed" }.to_owned(),
        found: Some(a.found),
        name_matches: Some(a.name_matches),
        marital_status: a.marital_status.clone(),
        hukou_division_code: a.hukou_division_code.clone(),
        reason: reason.map(str::to_owned),
        ..blank(app, staff, party.idx, source)
    }
}

/// Whether `party` has failed an authoritative check of this application.
pub fn failed_authoritatively(history: &[Check], party: i32) -> bool {
    history.iter().any(|c| {
        c.party_idx == party && c.outcome == "failed" && AUTHORITATIVE.contains(&c.source.as_str())
    })
}

/// The check that clears `party`, if any: the latest, when it is a supervisor's override, an
/// authoritative pass, or a manual pass with no authoritative failure before it.
pub fn clearing(history: &[Check], party: i32) -> Option<&Check> {
    let last = history.iter().rev().find(|c| c.party_idx == party)?;
    let cleared = last.source == OVERRIDE
        || (last.outcome == "passed"
            && (AUTHORITATIVE.contains(&last.source.as_str())
                || !failed_authoritatively(history, party)));
    cleared.then_some(last)
}

/// The latest check of each party.
pub fn latest(checks: &[Check]) -> [Option<&Check>; 2] {
    let last = |p: i32| checks.iter().rev().find(|c| c.party_idx == p);
    [last(0), last(1)]
}

/// The household checks of an application: the latest of each party, whether both passed,
/// and the whole history.
#[derive(Debug, Clone, Serialize)]
pub struct ChecksView {
    pub reference: String,
    pub checks: [Option<Check>; 2],
    pub history: Vec<Check>,
    pub cleared: bool,
}

pub(crate) fn summary(conn: &mut DbConn, app: &Appointment) -> Result<ChecksView, AppError> {
    let all = household::checks(conn, app.id)?;
    let [a, b] = latest(&all);
    let cleared = (0..2).all(|p| clearing(&all, p).is_some());
    Ok(ChecksView {
        reference: app.reference.clone(),
        checks: [a.cloned(), b.cloned()],
        history: all,
        cleared,
    })
}

/// A manual verification of one party's paper 户口簿, allowed only when no instance could answer
/// (the party's latest check is `unavailable`).
pub struct Manual {
    pub party: usize,
    pub marital_status: String,
    pub note: String,
}

/// Records a manual verification.
pub fn manual(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
    m: &Manual,
) -> Result<ChecksView, AppError> {
    let mut bad = Vec::new();
    if m.party > 1 {
        bad.push(InvalidParam::new("party", "invalid_party", "0 or 1"));
    }
    if !matches!(
        m.marital_status.as_str(),
        "unmarried" | "married" | "divorced" | "widowed"
    ) {
        bad.push(InvalidParam::new(
            "marital_status",
            "invalid_marital_status",
            "unmarried, married, divorced or widowed",
        ));
    }
    let note_len = m.note.trim().chars().count();
    if note_len == 0 || note_len > 500 {
        bad.push(InvalidParam::new(
            "note",
            "invalid_note",
            "1-500 characters: what was seen (户口簿 page, number, issuing station)",
        ));
    }
    if !bad.is_empty() {
        return Err(AppError::invalid(bad));
    }
    let app = checked_in(conn, staff, reference, "record a manual verification")?;
    let all = household::checks(conn, app.id)?;
    let last = latest(&all)[m.party];
    if failed_authoritatively(&all, m.party as i32) {
        return Err(AppError::conflict(
            "authoritative_check_failed",
            "Manual verification not allowed",
            "不允许人工核验",
        )
        .with_detail(
            "An authoritative check (this region's register or a partner's) failed for this party: the papers cannot clear them. Refuse the application, or a supervisor records an override with its document.",
            "该当事人的权威核查（本地户籍或合作地区）未通过，不能以人工核验代替；应不予登记，或由主管凭证明文件办理核查更正。",
        ));
    }
    if last.is_none_or(|c| c.outcome != "unavailable") {
        return Err(AppError::conflict(
            "manual_not_allowed",
            "Manual verification not allowed",
            "不允许人工核验",
        )
        .with_detail(
            "A manual verification is recorded only when no instance could answer the party's household check; run the checks first.",
            "仅当当事人户籍核查无法由系统完成时才能人工核验，请先进行户籍核查。",
        ));
    }
    let check = Check {
        outcome: if may_marry(&m.marital_status) {
            "passed"
        } else {
            "failed"
        }
        .into(),
        found: Some(true),
        name_matches: Some(true),
        marital_status: Some(m.marital_status.clone()),
        reason: (!may_marry(&m.marital_status)).then(|| "married".to_owned()),
        note: Some(m.note.trim().to_owned()),
        ..blank(&app, staff, m.party as i32, "manual")
    };
    let details = Details::none()
        .with("party", m.party)
        .with("outcome", &check.outcome);
    record_one(
        conn,
        staff,
        &app,
        &check,
        "household.manually_verified",
        details,
    )
}

/// Stores one check by hand (a manual verification, an override) with its audit event, in one
/// transaction; answers the checks.
pub(crate) fn record_one(
    conn: &mut DbConn,
    staff: &Staff,
    app: &Appointment,
    check: &Check,
    action: &str,
    details: Details,
) -> Result<ChecksView, AppError> {
    db::write_tx(conn, |c| -> Result<(), AppError> {
        household::record_check(c, check)?;
        audit_application(c, staff, app.id, action, details)?;
        Ok(())
    })?;
    summary(conn, app)
}

/// The checks of an application (latest per party, and the whole history).
pub fn list(conn: &mut DbConn, staff: &Staff, reference: &str) -> Result<ChecksView, AppError> {
    let app = crate::applications::load_any(conn, staff, reference)?;
    summary(conn, &app)
}

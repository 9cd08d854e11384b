//! Household checks of an application's parties (户籍及婚姻状况核查): the local register for
//! this region's residents, the partner instance (through the verifier seam) for others, and a
//! registrar's manual verification of the paper 户口簿 when no instance can answer.

use serde::Serialize;

use hunyin_domain::mask::mask;
use hunyin_domain::Status;
use hunyin_partner::wire::PURPOSE_MARRIAGE_REGISTRATION;
use hunyin_store::appointments::{self, Appointment};
use hunyin_store::household::{self, Check};
use hunyin_store::{self as db, DbConn};

use crate::applications::{audit_application, invalid_transition, load};
use crate::audit::Details;
use crate::auth::Staff;
use crate::error::{AppError, InvalidParam};
use crate::verification::{Answer, Case, HouseholdVerifier, Subject};

pub use hunyin_domain::marital::may_marry;

fn checked_in(
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

/// Judges an answer (local or remote): passed, or failed with the reason.
fn judge(source: &str, party: i32, a: &Answer, app: &Appointment, staff: &Staff) -> Check {
    let reason = if !a.found {
        Some("not_in_register")
    } else if !a.name_matches {
        Some("name_mismatch")
    } else if a.pending_application {
        Some("pending_application")
    } else if !a.marital_status.as_deref().is_some_and(may_marry) {
        Some("married")
    } else {
        None
    };
    Check {
        id: 0,
        appointment_id: app.id,
        party_idx: party,
        source: source.to_owned(),
        outcome: if reason.is_none() { "passed" } else { "failed" }.to_owned(),
        found: Some(a.found),
        name_matches: Some(a.name_matches),
        marital_status: a.marital_status.clone(),
        hukou_division_code: a.hukou_division_code.clone(),
        reason: reason.map(str::to_owned),
        note: None,
        checked_by: staff.id,
        checked_at: crate::clock::now(),
    }
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

fn summary(conn: &mut DbConn, app: &Appointment) -> Result<ChecksView, AppError> {
    let all = household::checks(conn, app.id)?;
    let [a, b] = latest(&all);
    let cleared = [a, b]
        .iter()
        .all(|c| c.is_some_and(|c| c.outcome == "passed"));
    Ok(ChecksView {
        reference: app.reference.clone(),
        checks: [a.cloned(), b.cloned()],
        history: all,
        cleared,
    })
}

/// Runs the checks of both parties of a checked-in application and stores them.
pub fn run(
    conn: &mut DbConn,
    staff: &Staff,
    verifier: &dyn HouseholdVerifier,
    region_prefix: &str,
    reference: &str,
) -> Result<ChecksView, AppError> {
    let app = checked_in(conn, staff, reference, "run household checks")?;
    let parties = appointments::parties(conn, app.id)?;
    let mut results = Vec::new();
    for p in &parties {
        let mut partner = None;
        let check = if p.hukou_division_code.starts_with(region_prefix) {
            let record = household::find(conn, &p.id_number)?;
            let answer = Answer {
                found: record.is_some(),
                name_matches: record.as_ref().is_some_and(|r| r.name == p.name),
                hukou_division_code: record.as_ref().map(|r| r.hukou_division_code.clone()),
                marital_status: record.as_ref().map(|r| r.marital_status.clone()),
                pending_application: false,
            };
            judge("local_register", p.idx, &answer, &app, staff)
        } else {
            let subject = Subject {
                id_number: p.id_number.clone(),
                name: p.name.clone(),
                hukou_division_code: p.hukou_division_code.clone(),
            };
            let case = Case {
                office_id: app.office_id.clone(),
                application_reference: app.reference.clone(),
                registrar_id: staff.id,
            };
            partner = verifier.partner_of(&p.hukou_division_code);
            match verifier.verify(&subject, &case) {
                Ok(answer) => judge("partner", p.idx, &answer, &app, staff),
                Err(e) => Check {
                    id: 0,
                    appointment_id: app.id,
                    party_idx: p.idx,
                    source: "partner".into(),
                    outcome: "unavailable".into(),
                    found: None,
                    name_matches: None,
                    marital_status: None,
                    hukou_division_code: None,
                    reason: Some(e.code().to_owned()),
                    note: None,
                    checked_by: staff.id,
                    checked_at: crate::clock::now(),
                },
            }
        };
        tracing::info!(
            reference = %app.reference,
            person = %mask(&p.id_number),
            source = %check.source,
            outcome = %check.outcome,
            "household check"
        );
        results.push((check, mask(&p.id_number), partner));
    }
    db::write_tx(conn, |c| -> Result<(), AppError> {
        for (check, masked, partner) in &results {
            household::record_check(c, check)?;
            audit_application(
                c,
                staff,
                app.id,
                "household.checked",
                Details::none()
                    .with("person", masked)
                    .with("source", &check.source)
                    .with("outcome", &check.outcome)
                    .with("reason", &check.reason)
                    .with("partner", partner)
                    .with("purpose", PURPOSE_MARRIAGE_REGISTRATION),
            )?;
        }
        Ok(())
    })?;
    summary(conn, &app)
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
        id: 0,
        appointment_id: app.id,
        party_idx: m.party as i32,
        source: "manual".into(),
        outcome: if may_marry(&m.marital_status) {
            "passed"
        } else {
            "failed"
        }
        .into(),
        found: Some(true),
        name_matches: Some(true),
        marital_status: Some(m.marital_status.clone()),
        hukou_division_code: None,
        reason: (!may_marry(&m.marital_status)).then(|| "married".to_owned()),
        note: Some(m.note.trim().to_owned()),
        checked_by: staff.id,
        checked_at: crate::clock::now(),
    };
    db::write_tx(conn, |c| -> Result<(), AppError> {
        household::record_check(c, &check)?;
        audit_application(
            c,
            staff,
            app.id,
            "household.manually_verified",
            Details::none()
                .with("party", m.party)
                .with("outcome", &check.outcome),
        )?;
        Ok(())
    })?;
    summary(conn, &app)
}

/// The checks of an application (latest per party, and the whole history).
pub fn list(conn: &mut DbConn, staff: &Staff, reference: &str) -> Result<ChecksView, AppError> {
    let app = load(conn, staff, reference)?;
    summary(conn, &app)
}

//! Running the household checks of an application: read, ask, write. The local records are
//! read on a pooled connection that is given back before any partner instance is asked; the
//! answers are stored on a connection taken again afterwards, in one transaction that first
//! makes sure the application is still checked in. A partner that never answers thus holds a
//! blocking thread, never a database connection (issue 14 §2).

use hunyin_domain::mask::mask;
use hunyin_partner::wire::PURPOSE_MARRIAGE_REGISTRATION;
use hunyin_store::appointments::{self, Appointment, PartyRow};
use hunyin_store::household::{self, Check};
use hunyin_store::{self as db, married, DbConn, Pool};

use super::{blank, checked_in, judge, summary, ChecksView};
use crate::applications::audit_application;
use crate::audit::Details;
use crate::auth::Staff;
use crate::error::AppError;
use crate::verification::{Answer, Case, HouseholdVerifier, Subject};

const ACTION: &str = "run household checks";

/// What the local records settle for a party, or the question for its partner instance.
enum Step {
    Settled(Check),
    Ask(PartyRow),
}

/// Runs the checks of both parties of a checked-in application and stores them.
pub fn run(
    pool: &Pool,
    staff: &Staff,
    verifier: &dyn HouseholdVerifier,
    region_prefix: &str,
    reference: &str,
) -> Result<ChecksView, AppError> {
    let (app, steps) = {
        let mut conn = db::get(pool)?;
        read(&mut conn, staff, region_prefix, reference)?
    };
    let results: Vec<(Check, String, Option<String>)> = steps
        .into_iter()
        .map(|(masked, step)| match step {
            Step::Settled(check) => (check, masked, None),
            Step::Ask(p) => {
                let partner = verifier.partner_of(&p.hukou_division_code);
                (ask(verifier, &app, staff, &p), masked, partner)
            }
        })
        .collect();
    for (check, masked, _) in &results {
        tracing::info!(
            reference = %app.reference,
            person = %masked,
            source = %check.source,
            outcome = %check.outcome,
            "household check"
        );
    }
    let mut conn = db::get(pool)?;
    db::write_tx(&mut conn, |c| -> Result<(), AppError> {
        // The application may have moved on (refused, say) while the partners were asked.
        checked_in(c, staff, reference, ACTION)?;
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
    summary(&mut conn, &app)
}

/// The application and, for each party (with its masked ID number), what this region's
/// records settle or that its partner instance must be asked.
fn read(
    conn: &mut DbConn,
    staff: &Staff,
    region_prefix: &str,
    reference: &str,
) -> Result<(Appointment, Vec<(String, Step)>), AppError> {
    let app = checked_in(conn, staff, reference, ACTION)?;
    let parties = appointments::parties(conn, app.id)?;
    let mut steps = Vec::new();
    for p in parties {
        // This region's records are always consulted by ID number, whatever hukou was declared.
        let record = household::find(conn, &p.id_number)?;
        let masked = mask(&p.id_number);
        let step = if married::is_married(conn, &p.id_number)? {
            Step::Settled(Check {
                marital_status: Some("married".into()),
                reason: Some("married".into()),
                ..blank(&app, staff, p.idx, "registrations")
            })
        } else if record.is_some() || p.hukou_division_code.starts_with(region_prefix) {
            let answer = Answer {
                found: record.is_some(),
                name_matches: record.as_ref().is_some_and(|r| r.name == p.name),
                hukou_division_code: record.as_ref().map(|r| r.hukou_division_code.clone()),
                marital_status: record.as_ref().map(|r| r.marital_status.clone()),
                pending_application: false,
            };
            Step::Settled(judge("local_register", &p, &answer, &app, staff))
        } else {
            Step::Ask(p)
        };
        steps.push((masked, step));
    }
    Ok((app, steps))
}

/// The check of a party by its partner instance: the answer judged, or `unavailable` with the
/// reason no answer came.
fn ask(verifier: &dyn HouseholdVerifier, app: &Appointment, staff: &Staff, p: &PartyRow) -> Check {
    let subject = Subject {
        id_number: p.id_number.clone(),
        name: p.name.clone(),
        hukou_division_code: p.hukou_division_code.clone(),
    };
    let case = Case {
        office_id: app.office_id.clone(),
        application_reference: app.reference.clone(),
        registrar_id: staff.id,
        purpose: PURPOSE_MARRIAGE_REGISTRATION,
    };
    match verifier.verify(&subject, &case) {
        Ok(answer) => judge("partner", p, &answer, app, staff),
        Err(e) => Check {
            outcome: "unavailable".into(),
            reason: Some(e.code().to_owned()),
            ..blank(app, staff, p.idx, "partner")
        },
    }
}

//! A walk-in couple at the counter: the same eligibility rules for this office today, no slot.

use chrono::NaiveDate;

use hunyin_domain::eligibility::Party;
use hunyin_domain::Status;
use hunyin_store::appointments::{self, NewAppointment};
use hunyin_store::{self as db, offices, DbConn};

use super::{audit_application, read, ApplicationView, COUNTER};
use crate::audit::{self, Details, Event};
use crate::auth::Staff;
use crate::booking::{self, Rules};
use crate::error::AppError;
use crate::tokens;

/// A walk-in couple at the counter.
pub struct WalkIn {
    pub office_id: String,
    pub parties: [Party; 2],
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A walk-in application: the same eligibility rules for this office today, no slot; it starts
/// checked in.
pub fn walk_in(
    conn: &mut DbConn,
    staff: &Staff,
    rules: &Rules<'_>,
    w: &WalkIn,
    today: NaiveDate,
) -> Result<ApplicationView, AppError> {
    let (office_id, parties) = (w.office_id.as_str(), &w.parties);
    let (email, phone) = (w.email.as_deref(), w.phone.as_deref());
    staff.require_role(&COUNTER)?;
    staff.require_office(office_id)?;
    let office =
        offices::find(conn, office_id)?.ok_or_else(|| AppError::not_found("The office"))?;
    booking::require_eligible(rules, parties, &office, today)?;
    let token_hash = tokens::hash(&tokens::secret());
    let reference = db::write_tx(conn, |c| -> Result<String, AppError> {
        let stamp = crate::clock::now();
        for _ in 0..5 {
            let reference = tokens::reference("AP");
            let new = NewAppointment {
                reference: &reference,
                manage_token_hash: &token_hash,
                office_id,
                slot_id: None,
                status: Status::CheckedIn.as_str(),
                contact_email: email.unwrap_or(""),
                contact_phone: phone,
                sequence: 0,
                created_at: stamp,
                updated_at: stamp,
                service: booking::VisitKind::Marriage.as_str(),
                divorce_application_id: None,
            };
            let Some(id) = appointments::insert(c, &new)? else {
                continue;
            };
            let rows = [0, 1].map(|i| booking::party_row(id, i, &parties[i]));
            if !appointments::insert_parties(c, &rows)? {
                return Err(already_booked());
            }
            audit_application(c, staff, id, "application.walk_in", Details::none())?;
            return Ok(reference);
        }
        Err(AppError::internal("no free reference in 5 draws"))
    });
    let reference = match reference {
        Err(e) if e.code == "already_booked" => {
            // The refusal tells the counter that one of these people holds an application
            // somewhere: a read of their data, audited like any other (the insert rolled back).
            let details = Details::none()
                .with("party_0", parties[0].id_number.masked())
                .with("party_1", parties[1].id_number.masked())
                .with("reason", "already_booked");
            let actor = staff.id.to_string();
            let event =
                Event::by_staff(staff, &actor, "application.walk_in_refused", None, details);
            db::write_tx(conn, |c| audit::record(c, event))?;
            return Err(e);
        }
        other => other?,
    };
    read(conn, rules.policy, staff, &reference)
}

fn already_booked() -> AppError {
    AppError::conflict("already_booked", "Already booked", "已有有效预约").with_detail(
        "One of the parties already holds an active application.",
        "一方当事人已有有效的预约或申请。",
    )
}

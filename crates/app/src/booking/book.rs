//! Booking a slot for both parties: one seat taken by a conditional update, the appointment and
//! its parties written, the confirmation and the reminder queued, all in one transaction.

use chrono::NaiveDateTime;

use hunyin_domain::eligibility::Party;
use hunyin_domain::mask::Masked;
use hunyin_domain::Status;
use hunyin_store::appointments::{self, Appointment, NewAppointment, PartyRow};
use hunyin_store::{self as db, slots, DbConn};

use super::{
    enqueue_mail, enqueue_reminder, party_row, require_eligible, resolve_slot, view_of,
    AppointmentView, Rules,
};
use crate::error::AppError;
use crate::{mail, tokens};

/// A booking request, parsed.
pub struct BookingRequest {
    pub office_id: String,
    pub slot_id: String,
    pub parties: [Party; 2],
    /// Each party's own contact, in party order (the first is the appointment's contact).
    pub emails: [String; 2],
    pub phone: Option<String>,
}

/// Books a slot for both parties. Returns the appointment's view with the manage token (only
/// ever returned here).
pub fn book(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    req: &BookingRequest,
    now: NaiveDateTime,
) -> Result<AppointmentView, AppError> {
    let (office, slot) = resolve_slot(conn, rules, &req.office_id, &req.slot_id, now)?;
    let assessment = require_eligible(rules, &req.parties, &office, slot.start.date())?;
    let token = tokens::secret();
    let token_hash = tokens::hash(&token);
    let row = slots::new_row(&office.id, &slot);
    // Contact mode: a hold, its persons inactive until both confirm (`holds`, `confirm`).
    // Oidc mode (its sign-in lands separately): booked at once, as before contact mode.
    let hold = rules.identity.confirms_by_contact();
    let status = if hold {
        Status::PendingConfirmation
    } else {
        Status::Booked
    };
    let contact_email = super::normal_email(&req.emails[0]);
    let appointment = db::write_tx(conn, |c| -> Result<Appointment, AppError> {
        slots::ensure(c, &row)?;
        if !slots::take_seat(c, &row.id)? {
            return Err(
                AppError::conflict("slot_full", "Slot full", "该时段已约满").with_detail(
                    "Every seat of this slot is taken; choose another slot.",
                    "该时段名额已满，请选择其他时段。",
                ),
            );
        }
        let stamp = crate::clock::now();
        let mut created = None;
        for _ in 0..5 {
            let reference = tokens::reference("AP");
            let new = NewAppointment {
                reference: &reference,
                manage_token_hash: &token_hash,
                office_id: &office.id,
                slot_id: Some(&row.id),
                status: status.as_str(),
                contact_email: &contact_email,
                contact_phone: req.phone.as_deref(),
                sequence: 0,
                created_at: stamp,
                updated_at: stamp,
            };
            if let Some(new_id) = appointments::insert(c, &new)? {
                created = Some((new_id, reference));
                break;
            }
        }
        let (id, reference) = created
            .ok_or_else(|| AppError::internal("no free appointment reference in 5 draws"))?;
        let rows: Vec<PartyRow> = req
            .parties
            .iter()
            .enumerate()
            .map(|(i, p)| PartyRow {
                active: !hold,
                ..party_row(id, i, p)
            })
            .collect();
        // Only in oidc mode: a hold's persons are inactive, they never collide here.
        if !appointments::insert_parties(c, &rows)? {
            return Err(AppError::conflict(
                "already_booked",
                "Already booked",
                "已有有效预约",
            )
            .with_detail(
                "One of the parties already holds an active appointment; manage or cancel it first.",
                "一方当事人已有有效预约，请先变更或取消原预约。",
            ));
        }
        crate::audit::record(
            c,
            crate::audit::Event::couple(
                "appointment.booked",
                &office.id,
                "appointment",
                &id.to_string(),
            ),
        )?;
        let a = appointments::find_by_reference(c, &reference)?
            .ok_or_else(|| AppError::internal("appointment vanished in its own transaction"))?;
        if hold {
            super::holds::open(c, rules, &a, &office, &req.emails, stamp)?;
        } else {
            enqueue_mail(c, rules, &a, &office, mail::Kind::Confirmation)?;
            enqueue_reminder(c, rules, &a)?;
        }
        Ok(a)
    })?;
    tracing::info!(
        reference = %appointment.reference,
        party0 = %Masked(req.parties[0].id_number.as_str()),
        party1 = %Masked(req.parties[1].id_number.as_str()),
        slot = %row.id,
        status = %status,
        "appointment booked"
    );
    let mut view = view_of(conn, &appointment, &office, Some(&assessment))?;
    view.manage_token = Some(token);
    Ok(view)
}

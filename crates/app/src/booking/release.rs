//! A party releases a booking through their own contact: the secret of the link mailed to
//! them, before or after they confirmed. A hold made in someone's name ("this was not me") or
//! a booking they no longer want is cancelled at once: seat and persons freed, both contacts
//! told. No manage token is needed, so a booking made with someone else's manage token can
//! still be let go by each of its persons.

use chrono::NaiveDateTime;

use hunyin_domain::Status;
use hunyin_store::holds;
use hunyin_store::offices;
use hunyin_store::{self as db, appointments, slots, DbConn};

use super::confirm::ConfirmationView;
use super::{enqueue_mail_to_parties, unknown_office, Rules};
use crate::audit::{Details, Event};
use crate::error::AppError;
use crate::{mail, tokens};

/// `POST /v1/confirmations/release`: cancels the hold or booking whose link carries `token`.
pub fn release(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    token: &str,
    now: NaiveDateTime,
) -> Result<ConfirmationView, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::confirmation_invalid());
    }
    let hash = tokens::hash(&token.to_ascii_lowercase());
    db::write_tx(conn, |c| -> Result<ConfirmationView, AppError> {
        let found =
            holds::contact_by_token(c, &hash)?.ok_or_else(AppError::confirmation_invalid)?;
        holds::lock_hold(c, found.appointment_id)?;
        let a = holds::appointment(c, found.appointment_id)?
            .ok_or_else(AppError::confirmation_invalid)?;
        let hold = holds::find(c, a.id)?.ok_or_else(AppError::confirmation_invalid)?;
        let held = a.status == Status::PendingConfirmation;
        if !held && a.status != Status::Booked {
            return Err(super::manage::closed(&a.status));
        }
        let from = if held {
            Status::PendingConfirmation
        } else {
            Status::Booked
        };
        if !appointments::transition(c, a.id, from, Status::Cancelled, now)? {
            return Err(super::manage::closed(&a.status));
        }
        appointments::deactivate_parties(c, a.id)?;
        if let Some(slot) = &a.slot_id {
            slots::free_seat(c, slot)?;
        }
        let contacts = holds::contacts(c, a.id)?;
        if !held {
            // The invitation went out: both contacts get its CANCEL.
            let office = offices::find(c, &a.office_id)?.ok_or_else(unknown_office)?;
            let current =
                holds::appointment(c, a.id)?.ok_or_else(AppError::confirmation_invalid)?;
            enqueue_mail_to_parties(c, rules, &current, &office, mail::Kind::Cancelled)?;
        }
        let subject = a.id.to_string();
        crate::audit::record(
            c,
            Event {
                details: Details::none().with("party", found.idx),
                ..Event::couple(
                    "appointment.released_by_party",
                    &a.office_id,
                    "appointment",
                    &subject,
                )
            },
        )?;
        Ok(ConfirmationView {
            reference: a.reference,
            status: Status::Cancelled.as_str().to_owned(),
            party: found.idx,
            parties_confirmed: contacts.iter().filter(|x| x.confirmed_at.is_some()).count() as i32,
            confirm_by: hunyin_domain::time::rfc3339_utc(hold.expires_at),
        })
    })
}

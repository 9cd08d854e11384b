//! A party confirms a hold with the secret of the link mailed to their own contact. When the
//! second party confirms, the hold becomes `booked`: its persons become active (the partial
//! unique index: one active appointment per person) and the usual confirmation and invitation
//! go out to both contacts.
//!
//! The rule against lock-out (README "Identity"): the latest confirmation of a person wins. An
//! earlier `booked` appointment of either person is released (`superseded`), its seat freed,
//! and its own contacts told. So nobody can keep a person from booking by booking in their name,
//! and no answer tells a caller whether a named person holds an appointment: the confirmation
//! answers the same either way.

use chrono::NaiveDateTime;
use serde::Serialize;

use hunyin_domain::Status;
use hunyin_store::appointments::{self, Appointment};
use hunyin_store::holds;
use hunyin_store::offices::{self, Office};
use hunyin_store::{self as db, slots, DbConn};

use super::{enqueue_mail_to_parties, enqueue_reminder, unknown_office, Rules};
use crate::audit::Event;
use crate::error::AppError;
use crate::{mail, tokens};

/// The answer to a confirmation: which booking, where it stands. Nothing about anyone else.
#[derive(Debug, Clone, Serialize)]
pub struct ConfirmationView {
    pub reference: String,
    /// `pending_confirmation` until both parties confirmed, then `booked`.
    pub status: String,
    /// Which party this link confirmed (0 or 1).
    pub party: i32,
    pub parties_confirmed: i32,
    /// Deadline of the hold (RFC 3339, UTC).
    pub confirm_by: String,
}

fn invalid() -> AppError {
    AppError::confirmation_invalid()
}

/// Why one try of the confirmation did not commit.
pub(super) enum Failed {
    App(AppError),
    /// A concurrent confirmation of the same person won; try again, it is now visible.
    Race,
}

impl From<diesel::result::Error> for Failed {
    fn from(e: diesel::result::Error) -> Self {
        // PostgreSQL may pick a concurrent confirmation as a deadlock victim: try again.
        if e.to_string().contains("deadlock") {
            return Failed::Race;
        }
        Failed::App(e.into())
    }
}

impl From<AppError> for Failed {
    fn from(e: AppError) -> Self {
        Failed::App(e)
    }
}

/// `POST /v1/confirmations`: confirms the party whose link carries `token`.
pub fn confirm(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    token: &str,
    now: NaiveDateTime,
) -> Result<ConfirmationView, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let hash = tokens::hash(&token.to_ascii_lowercase());
    for _ in 0..8 {
        match db::write_tx(conn, |c| once(c, rules, &hash, now)) {
            Ok(view) => return Ok(view),
            Err(Failed::App(e)) => return Err(e),
            Err(Failed::Race) => continue,
        }
    }
    Err(AppError::internal(
        "confirmation lost 8 races in a row to confirmations of the same person",
    ))
}

fn once(
    c: &mut DbConn,
    rules: &Rules<'_>,
    hash: &str,
    now: NaiveDateTime,
) -> Result<ConfirmationView, Failed> {
    let found = holds::contact_by_token(c, hash)?.ok_or_else(invalid)?;
    // The other party's confirmation of this hold waits here; read after the lock.
    holds::lock_hold(c, found.appointment_id)?;
    let contact = holds::contact_by_token(c, hash)?.ok_or_else(invalid)?;
    let a = holds::appointment(c, contact.appointment_id)?.ok_or_else(invalid)?;
    let hold = holds::find(c, a.id)?.ok_or_else(invalid)?;
    if contact.confirmed_at.is_some() {
        return Err(AppError::confirmation_used().into());
    }
    if a.status == Status::Lapsed
        || (a.status == Status::PendingConfirmation && now >= hold.expires_at)
    {
        return Err(AppError::confirmation_expired().into());
    }
    if a.status != Status::PendingConfirmation {
        return Err(super::manage::closed(&a.status).into());
    }
    if !holds::confirm_party(c, a.id, contact.idx, now)? {
        return Err(AppError::confirmation_used().into());
    }
    let subject = a.id.to_string();
    crate::audit::record(
        c,
        Event {
            details: crate::audit::Details::none().with("party", contact.idx),
            ..Event::couple(
                "appointment.party_confirmed",
                &a.office_id,
                "appointment",
                &subject,
            )
        },
    )?;
    let contacts = holds::contacts(c, a.id)?;
    let confirmed = contacts.iter().filter(|x| x.confirmed_at.is_some()).count() as i32;
    let mut status = a.status.clone();
    if confirmed == 2 {
        let office = offices::find(c, &a.office_id)?.ok_or_else(unknown_office)?;
        complete(c, rules, &a, &office, now)?;
        status = Status::Booked.as_str().to_owned();
    }
    Ok(ConfirmationView {
        reference: a.reference,
        status,
        party: contact.idx,
        parties_confirmed: confirmed,
        confirm_by: hunyin_domain::time::rfc3339_utc(hold.expires_at),
    })
}

/// Both confirmed: earlier bookings of either person are released, the persons become active,
/// the hold is booked and its mails queued.
fn complete(
    c: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
    office: &Office,
    now: NaiveDateTime,
) -> Result<(), Failed> {
    let parties = appointments::parties(c, a.id)?;
    // Both persons locked, in one order: concurrent confirmations of a person queue here, and
    // each then sees (and releases) what the one before booked.
    let mut keys: Vec<String> = parties
        .iter()
        .map(|p| format!("person:{}", tokens::hash(&p.id_number)))
        .collect();
    keys.sort();
    for key in &keys {
        holds::lock(c, key, now)?;
    }
    for p in &parties {
        for (other, status) in holds::active_of(c, &p.id_number, a.id)? {
            if status != Status::Booked {
                return Err(AppError::confirmation_blocked().into());
            }
            supersede(c, rules, other, now)?;
        }
    }
    if !holds::activate_parties(c, a.id)? {
        return Err(Failed::Race);
    }
    stand(c, rules, a, office, now)?;
    let subject = a.id.to_string();
    crate::audit::record(
        c,
        Event::couple(
            "appointment.confirmed",
            &a.office_id,
            "appointment",
            &subject,
        ),
    )?;
    Ok(())
}

/// The hold `a`, its persons active, becomes `booked`: the hold is closed as confirmed (the
/// statistics count it) and the confirmation with its invitation goes to each party's own
/// contact, the reminder queued. Shared by both modes' confirmations.
pub(super) fn stand(
    c: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
    office: &Office,
    now: NaiveDateTime,
) -> Result<(), Failed> {
    if !appointments::transition(c, a.id, Status::PendingConfirmation, Status::Booked, now)? {
        return Err(Failed::Race);
    }
    holds::close(c, a.id, false, now)?;
    let booked = holds::appointment(c, a.id)?.ok_or_else(invalid)?;
    enqueue_mail_to_parties(c, rules, &booked, office, mail::Kind::Confirmation)?;
    enqueue_reminder(c, rules, &booked)?;
    Ok(())
}

/// Releases the earlier booking `id` of a person who confirmed another: its seat and persons
/// freed, its own contacts sent the cancellation (with the invitation's CANCEL).
fn supersede(c: &mut DbConn, rules: &Rules<'_>, id: i64, now: NaiveDateTime) -> Result<(), Failed> {
    let Some(old) = holds::appointment(c, id)? else {
        return Ok(());
    };
    // Conditional: a concurrent confirmation that released it first leaves it to that one.
    if !appointments::transition(c, id, Status::Booked, Status::Superseded, now)? {
        return Err(Failed::Race);
    }
    appointments::deactivate_parties(c, id)?;
    if let Some(slot) = &old.slot_id {
        slots::free_seat(c, slot)?;
    }
    let office = offices::find(c, &old.office_id)?.ok_or_else(unknown_office)?;
    let mut to = old.clone();
    to.status = Status::Superseded.as_str().into();
    to.sequence += 1;
    enqueue_mail_to_parties(c, rules, &to, &office, mail::Kind::Cancelled)?;
    let subject = id.to_string();
    crate::audit::record(
        c,
        Event::system(
            "appointment.superseded",
            &old.office_id,
            ("appointment", &subject),
        ),
    )?;
    Ok(())
}

/// Lapses the holds whose deadline passed before `now`: seat freed, both contacts told, the
/// lapse recorded (statistics count it); returns how many.
pub fn sweep_lapsed(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize, AppError> {
    db::write_tx(conn, |c| -> Result<usize, AppError> {
        let due = holds::due(c, now)?;
        let mut n = 0;
        for (id, office_id) in &due {
            if !appointments::transition(c, *id, Status::PendingConfirmation, Status::Lapsed, now)?
            {
                continue;
            }
            let Some(a) = holds::appointment(c, *id)? else {
                continue;
            };
            if let Some(slot) = &a.slot_id {
                slots::free_seat(c, slot)?;
            }
            // In oidc mode the first party, signed in, was active from the booking.
            appointments::deactivate_parties(c, *id)?;
            holds::close(c, *id, true, now)?;
            let office = offices::find(c, office_id)?.ok_or_else(unknown_office)?;
            let about = super::holds::About::of(c, &a, &office)?;
            for contact in holds::contacts(c, *id)? {
                crate::outbox::OutboxMessage::Email(about.lapsed_mail(&contact.email))
                    .enqueue(c, now, now)?;
            }
            let subject = id.to_string();
            crate::audit::record(
                c,
                Event::system("appointment.lapsed", office_id, ("appointment", &subject)),
            )?;
            n += 1;
        }
        Ok(n)
    })
}

//! "我的预约": the signed-in person's own appointments, as either party, found by the ID number
//! the identity provider gave; viewed, rescheduled, cancelled and confirmed without a manage
//! token. The changes are the booking's own use cases (`booking::*_found`); this module only
//! decides who may make them: a party of that appointment. For anyone else the appointment
//! does not exist (the same 404 as an unknown reference).

use chrono::NaiveDateTime;
use serde::Serialize;

use hunyin_domain::Status;
use hunyin_store::appointments::{self, Appointment};
use hunyin_store::{holds, identities, DbConn};

use super::Citizen;
use crate::booking::{self, Actor, AppointmentView, ConfirmationView, Rules};
use crate::error::AppError;

/// At most this many appointments are listed, newest first.
const LISTED: i64 = 50;

/// One of the signed-in person's appointments.
#[derive(Debug, Clone, Serialize)]
pub struct MyAppointmentView {
    #[serde(flatten)]
    pub appointment: AppointmentView,
    /// Which party the signed-in person is (0: booked it, 1: named as second party).
    pub my_party: i32,
    /// A hold: until when the second party may confirm (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_by: Option<String>,
    /// True while the hold waits for the signed-in person's own confirmation.
    pub awaiting_my_confirmation: bool,
}

/// `GET /v1/citizen/appointments`.
#[derive(Debug, Clone, Serialize)]
pub struct MyAppointments {
    pub appointments: Vec<MyAppointmentView>,
}

/// The appointment `reference` if the signed-in person is one of its parties, with which.
fn party_of(
    conn: &mut DbConn,
    who: &Citizen,
    reference: &str,
) -> Result<(Appointment, i32), AppError> {
    let unknown = AppError::citizen_appointment_unknown;
    let a = appointments::find_by_reference(conn, reference)?.ok_or_else(unknown)?;
    if a.slot_id.is_none() {
        // A walk-in is the counter's, not a booking.
        return Err(unknown());
    }
    let idx = appointments::parties(conn, a.id)?
        .into_iter()
        .find(|p| p.id_number == who.id_number)
        .map(|p| p.idx)
        .ok_or_else(unknown)?;
    Ok((a, idx))
}

fn mine(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
    idx: i32,
) -> Result<MyAppointmentView, AppError> {
    let mut appointment = booking::view_found(conn, rules, a)?;
    appointment.manage_token = None;
    let pending = a.status == Status::PendingConfirmation;
    let confirm_by = if pending {
        holds::find(conn, a.id)?.map(|h| hunyin_domain::time::rfc3339_utc(h.expires_at))
    } else {
        None
    };
    let awaiting = pending
        && idx == 1
        && !identities::of_appointment(conn, a.id)?
            .iter()
            .any(|s| s.idx == 1);
    Ok(MyAppointmentView {
        appointment,
        my_party: idx,
        confirm_by,
        awaiting_my_confirmation: awaiting,
    })
}

/// `GET /v1/citizen/appointments`: the signed-in person's appointments, newest first.
pub fn list(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    who: &Citizen,
) -> Result<MyAppointments, AppError> {
    let found = identities::appointments_of(conn, &who.id_number, LISTED)?;
    let mut out = Vec::with_capacity(found.len());
    for (a, idx) in &found {
        out.push(mine(conn, rules, a, *idx)?);
    }
    Ok(MyAppointments { appointments: out })
}

/// `GET /v1/citizen/appointments/{reference}`.
pub fn view(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    who: &Citizen,
    reference: &str,
) -> Result<MyAppointmentView, AppError> {
    let (a, idx) = party_of(conn, who, reference)?;
    mine(conn, rules, &a, idx)
}

/// `PATCH /v1/citizen/appointments/{reference}`: a party moves the booking to another slot.
pub fn reschedule(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    who: &Citizen,
    reference: &str,
    office_id: Option<&str>,
    slot_id: &str,
    now: NaiveDateTime,
) -> Result<MyAppointmentView, AppError> {
    let (a, idx) = party_of(conn, who, reference)?;
    booking::reschedule_found(
        conn,
        rules,
        &a,
        office_id,
        slot_id,
        now,
        Actor::Citizen(who),
    )?;
    let a = appointments::find_by_reference(conn, reference)?
        .ok_or_else(AppError::citizen_appointment_unknown)?;
    mine(conn, rules, &a, idx)
}

/// `DELETE /v1/citizen/appointments/{reference}`: a party cancels the booking, or a hold that
/// names them ("not me").
pub fn cancel(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    who: &Citizen,
    reference: &str,
) -> Result<MyAppointmentView, AppError> {
    let (a, idx) = party_of(conn, who, reference)?;
    booking::cancel_found(conn, rules, &a, Actor::Citizen(who))?;
    let a = appointments::find_by_reference(conn, reference)?
        .ok_or_else(AppError::citizen_appointment_unknown)?;
    let mut v = mine(conn, rules, &a, idx)?;
    v.appointment.documents.clear();
    Ok(v)
}

/// `POST /v1/citizen/appointments/{reference}/confirmation`: the second party confirms.
pub fn confirm(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    who: &Citizen,
    reference: &str,
    now: NaiveDateTime,
) -> Result<ConfirmationView, AppError> {
    booking::confirm_signed_in(conn, rules, who, reference, now)
}

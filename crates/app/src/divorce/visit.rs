//! The application visit a divorce is received from (受理): the appointment booked with
//! `"service": "divorce"` and named at receipt. It must be a divorce visit of this office, still
//! booked, for today, for exactly the two persons received; at receipt it becomes `checked_in`
//! (used), its persons free to book the issue visit, and the confirmed contacts of its parties
//! go with the application (for the issue visit's confirmation and the reminders).

use chrono::{NaiveDate, NaiveDateTime};

use hunyin_domain::time::to_local;
use hunyin_domain::Status;
use hunyin_store::appointments::{self, Appointment};
use hunyin_store::{divorce_visits, holds, slots, DbConn};

use super::verify::Person;
use crate::applications::invalid_transition;
use crate::audit::{self, Details, Event};
use crate::auth::Staff;
use crate::booking::VisitKind;
use crate::error::AppError;

/// The application visit as read before the receipt: its id and each received party's
/// contact, in the order of the received parties.
pub(crate) struct Visit {
    pub appointment_id: i64,
    pub emails: Vec<Option<String>>,
}

fn mismatch(en: &str, zh: &str) -> AppError {
    AppError::unprocessable(
        "appointment_mismatch",
        "Not this couple's visit",
        "预约与申请不符",
    )
    .with_detail(en.to_owned(), zh.to_owned())
}

/// Reads and judges the visit `reference` for a receipt at `office_id` on `today`.
pub(crate) fn read(
    conn: &mut DbConn,
    reference: &str,
    office_id: &str,
    people: &[Person],
    today: NaiveDate,
) -> Result<Visit, AppError> {
    let a = appointments::find_by_reference(conn, reference.trim())?.ok_or_else(|| {
        AppError::not_found("The appointment")
            .with_detail("No appointment has this reference.", "没有此编号的预约。")
    })?;
    if a.office_id != office_id {
        return Err(mismatch(
            "The appointment was booked at another office.",
            "该预约为其他登记机关的预约。",
        ));
    }
    if VisitKind::of(&a.service) != VisitKind::Divorce {
        return Err(mismatch(
            "The appointment is not the application visit of a divorce.",
            "该预约不是离婚登记申请的预约。",
        ));
    }
    if a.status != Status::Booked {
        return Err(invalid_transition(
            "receive the divorce from this appointment",
            &a.status,
        ));
    }
    let slot = match &a.slot_id {
        Some(id) => slots::find(conn, id)?,
        None => None,
    }
    .ok_or_else(|| AppError::internal("a booked appointment without a slot"))?;
    let day = to_local(slot.starts_at).date();
    if day != today {
        return Err(
            AppError::conflict("not_today", "Not the appointment's day", "非预约当日")
                .with_detail(
                    format!("The appointment is on {day}; it is received on that day only."),
                    format!("预约日期为 {day}，只能在当日受理。"),
                )
                .with_extension("current_status", &a.status),
        );
    }
    let booked = appointments::parties(conn, a.id)?;
    let mut want: Vec<&str> = people.iter().map(|p| p.id_number.as_str()).collect();
    let mut have: Vec<&str> = booked.iter().map(|p| p.id_number.as_str()).collect();
    want.sort_unstable();
    have.sort_unstable();
    if want != have {
        return Err(mismatch(
            "The appointment was booked for other persons.",
            "该预约的当事人与申请的当事人不一致。",
        ));
    }
    let contacts = holds::contacts(conn, a.id)?;
    let email_of = |idx: i32| -> Option<String> {
        match contacts.iter().find(|c| c.idx == idx) {
            Some(c) => c.confirmed_at.map(|_| c.email.clone()),
            // Booked without confirmation (oidc mode): the appointment's contact is party 0's.
            None if contacts.is_empty() && idx == 0 && !a.contact_email.is_empty() => {
                Some(a.contact_email.clone())
            }
            None => None,
        }
    };
    let emails = people
        .iter()
        .map(|p| {
            booked
                .iter()
                .find(|b| b.id_number == p.id_number)
                .and_then(|b| email_of(b.idx))
        })
        .collect();
    Ok(Visit {
        appointment_id: a.id,
        emails,
    })
}

/// In the receipt's transaction: the visit becomes `checked_in` (used) with its persons freed,
/// and the application names it. 409 when it moved on since it was read.
pub(crate) fn use_visit(
    c: &mut DbConn,
    staff: &Staff,
    visit: &Visit,
    application_id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let id = visit.appointment_id;
    if !appointments::transition(c, id, Status::Booked, Status::CheckedIn, now)? {
        let status = current_status(c, id)?;
        return Err(invalid_transition(
            "receive the divorce from this appointment",
            &status,
        ));
    }
    appointments::deactivate_parties(c, id)?;
    divorce_visits::set_appointment(c, application_id, id)?;
    let (actor, subject) = (staff.id.to_string(), id.to_string());
    audit::record(
        c,
        Event::by_staff(
            staff,
            &actor,
            "application.checked_in",
            Some(("appointment", subject.as_str())),
            Details::none().with("divorce_application", application_id),
        ),
    )?;
    Ok(())
}

fn current_status(c: &mut DbConn, id: i64) -> Result<String, AppError> {
    Ok(holds::appointment(c, id)?
        .map(|a: Appointment| a.status)
        .unwrap_or_default())
}

/// In the transaction that closes application `application_id`: its issue visits still ahead
/// end, used (`checked_in`) when the certificate was issued, else `cancelled` with their seats
/// freed; their persons are freed either way. Answers how many.
pub(crate) fn close_issue_visits(
    c: &mut DbConn,
    application_id: i64,
    issued: bool,
) -> Result<usize, AppError> {
    let open = [
        Status::Booked.as_str(),
        Status::PendingConfirmation.as_str(),
    ];
    let now = crate::clock::now();
    let mut n = 0;
    for v in divorce_visits::issue_visits(c, application_id, &open)? {
        let Some(from) = Status::parse(&v.status) else {
            continue;
        };
        let to = if issued && from == Status::Booked {
            Status::CheckedIn
        } else {
            Status::Cancelled
        };
        if !appointments::transition(c, v.id, from, to, now)? {
            continue;
        }
        if to == Status::Cancelled {
            if let Some(slot) = &v.slot_id {
                slots::free_seat(c, slot)?;
            }
        }
        appointments::deactivate_parties(c, v.id)?;
        let subject = v.id.to_string();
        let action = if to == Status::Cancelled {
            "appointment.cancelled"
        } else {
            "appointment.checked_in"
        };
        let mut event = Event::system(action, &v.office_id, ("appointment", &subject));
        event.details = Details::none().with("divorce_application", application_id);
        audit::record(c, event)?;
        n += 1;
    }
    Ok(n)
}

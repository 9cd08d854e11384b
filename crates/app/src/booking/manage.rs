//! An appointment managed by its holders with the manage token: view, reschedule, cancel. A
//! wrong token answers 404, so references cannot be probed. The same changes are made by a
//! signed-in party without the token (`crate::citizen::appointments`): the `*_found` functions
//! take an appointment already authorised and the [`Actor`] the audit trail names.

use chrono::NaiveDateTime;

use hunyin_domain::eligibility;
use hunyin_domain::{Policy, Status};
use hunyin_store::appointments::{self, Appointment};
use hunyin_store::offices::{self, Office};
use hunyin_store::{self as db, slots, DbConn};

use super::visits::{precheck_issue_slot, require_slot, VisitKind};
use super::{
    enqueue_mail_to_parties, enqueue_reminder, office_ref, resolve_slot, stored_parties,
    unknown_office, unknown_slot, view_of, AppointmentView, Rules,
};
use crate::audit::Event;
use crate::citizen::Citizen;
use crate::error::AppError;
use crate::{mail, tokens};

/// Who changes an appointment: its holders with the manage token, or a signed-in party.
#[derive(Clone, Copy)]
pub enum Actor<'a> {
    Couple,
    Citizen(&'a Citizen),
}

impl<'a> Actor<'a> {
    /// The audit event of `action` on appointment `subject` by this actor.
    pub(crate) fn event(self, action: &'a str, office_id: &'a str, subject: &'a str) -> Event<'a> {
        match self {
            Actor::Couple => Event::couple(action, office_id, "appointment", subject),
            Actor::Citizen(c) => Event::citizen(c, action, office_id, subject),
        }
    }
}

/// The appointment if `token` opens it; otherwise 404, so references cannot be probed.
pub(super) fn authorised(
    conn: &mut DbConn,
    reference: &str,
    token: Option<&str>,
) -> Result<Appointment, AppError> {
    let not_found = || {
        AppError::not_found("The appointment").with_detail(
            "No appointment matches this reference and manage token.",
            "没有与该预约号和管理令牌匹配的预约。",
        )
    };
    let token = token.ok_or_else(not_found)?;
    let a = appointments::find_by_reference(conn, reference)?.ok_or_else(not_found)?;
    if !tokens::matches(token, &a.manage_token_hash) {
        return Err(not_found());
    }
    Ok(a)
}

/// The couple's assessment for the appointment's day (today for a walk-in) at its office: the
/// documents of that day's period, with the permit of a party whose permit is a basis.
pub(crate) fn documents_for(
    conn: &mut DbConn,
    policy: &Policy,
    a: &Appointment,
    office: &Office,
) -> Result<eligibility::Assessment, AppError> {
    let parties = stored_parties(&appointments::parties(conn, a.id)?)?;
    let day = match &a.slot_id {
        Some(id) => slots::parse_slot_id(id).map(|(_, s)| s.date()),
        None => None,
    }
    .unwrap_or_else(crate::clock::today);
    Ok(eligibility::assess(
        policy,
        &parties,
        day,
        VisitKind::of(&a.service).service(),
        &[office_ref(office)?],
    ))
}

/// `GET`: the appointment.
pub fn view(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    reference: &str,
    token: Option<&str>,
) -> Result<AppointmentView, AppError> {
    let a = authorised(conn, reference, token)?;
    view_found(conn, rules, &a)
}

/// The view of an authorised appointment, with the documents of its day.
pub(crate) fn view_found(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
) -> Result<AppointmentView, AppError> {
    let office = offices::find(conn, &a.office_id)?.ok_or_else(unknown_office)?;
    let assessment = documents_for(conn, rules.policy, a, &office)?;
    view_of(conn, a, &office, Some(&assessment))
}

pub(super) fn closed(status: &str) -> AppError {
    AppError::conflict("appointment_closed", "Appointment closed", "预约已结束").with_detail(
        format!("The appointment is {status}; only a booked appointment can be changed."),
        format!("该预约状态为 {status}，只有已预约状态可以变更。"),
    )
}

/// `PATCH`: moves the appointment to another slot; the new seat is taken and the old one freed
/// in one transaction.
pub fn reschedule(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    reference: &str,
    token: Option<&str>,
    office_id: Option<&str>,
    slot_id: &str,
    now: NaiveDateTime,
) -> Result<AppointmentView, AppError> {
    let a = authorised(conn, reference, token)?;
    reschedule_found(conn, rules, &a, office_id, slot_id, now, Actor::Couple)
}

/// Moves the authorised appointment `a` (see [`reschedule`]).
pub(crate) fn reschedule_found(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
    office_id: Option<&str>,
    slot_id: &str,
    now: NaiveDateTime,
    actor: Actor<'_>,
) -> Result<AppointmentView, AppError> {
    let reference = a.reference.as_str();
    if a.status != Status::Booked {
        return Err(closed(&a.status));
    }
    let target_office = office_id.unwrap_or(&a.office_id).to_owned();
    if a.slot_id.as_deref() == Some(slot_id) && target_office == a.office_id {
        return view_found(conn, rules, a);
    }
    let kind = VisitKind::of(&a.service);
    // A divorce's visits are judged by the instance's clock, as at booking.
    let now = match kind {
        VisitKind::Marriage => now,
        _ => hunyin_domain::time::to_local(rules.clock.now()),
    };
    precheck_issue_slot(conn, kind, a.divorce_application_id, slot_id)?;
    let (office, slot) = resolve_slot(conn, rules, &target_office, slot_id, now)?;
    let parties = stored_parties(&appointments::parties(conn, a.id)?)?;
    let assessment = require_slot(
        conn,
        rules,
        kind,
        a.divorce_application_id,
        &parties,
        &office,
        slot.start.date(),
    )?;
    let row = slots::new_row(&office.id, &slot);
    db::write_tx(conn, |c| -> Result<(), AppError> {
        // Lock, then read again: a concurrent cancel or reschedule must not be undone, nor its
        // seat freed twice.
        appointments::lock_row(c, a.id)?;
        let current = appointments::find_by_reference(c, reference)?.ok_or_else(unknown_slot)?;
        if current.status != Status::Booked {
            return Err(closed(&current.status));
        }
        slots::ensure(c, &row)?;
        if !slots::take_seat(c, &row.id)? {
            return Err(AppError::conflict("slot_full", "Slot full", "该时段已约满"));
        }
        if let Some(old) = &current.slot_id {
            slots::free_seat(c, old)?;
        }
        appointments::move_to(c, current.id, &office.id, &row.id, crate::clock::now())?;
        let moved = appointments::find_by_reference(c, reference)?.ok_or_else(unknown_slot)?;
        enqueue_mail_to_parties(c, rules, &moved, &office, mail::Kind::Rescheduled)?;
        enqueue_reminder(c, rules, &moved)?;
        let subject = current.id.to_string();
        crate::audit::record(
            c,
            actor.event("appointment.rescheduled", &office.id, &subject),
        )?;
        Ok(())
    })?;
    let a = appointments::find_by_reference(conn, reference)?.ok_or_else(unknown_slot)?;
    view_of(conn, &a, &office, Some(&assessment))
}

/// `DELETE`: cancels, freeing the seat and both persons.
pub fn cancel(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    reference: &str,
    token: Option<&str>,
) -> Result<AppointmentView, AppError> {
    let a = authorised(conn, reference, token)?;
    cancel_found(conn, rules, &a, Actor::Couple)
}

/// Cancels the authorised appointment `a` (see [`cancel`]).
pub(crate) fn cancel_found(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
    actor: Actor<'_>,
) -> Result<AppointmentView, AppError> {
    let reference = a.reference.as_str();
    db::write_tx(conn, |c| -> Result<(), AppError> {
        // Lock, then read again (see `reschedule_found`).
        appointments::lock_row(c, a.id)?;
        let current = appointments::find_by_reference(c, reference)?.ok_or_else(unknown_slot)?;
        // A hold awaiting confirmation may be cancelled too: no invitation went out for it.
        let held = current.status == Status::PendingConfirmation;
        if current.status != Status::Booked && !held {
            return Err(closed(&current.status));
        }
        if let Some(slot) = &current.slot_id {
            slots::free_seat(c, slot)?;
        }
        let now = crate::clock::now();
        if held {
            appointments::set_status(c, current.id, Status::Cancelled, false, now)?;
            let subject = current.id.to_string();
            crate::audit::record(
                c,
                actor.event("appointment.cancelled", &current.office_id, &subject),
            )?;
            return Ok(());
        }
        // The cancellation mail needs the slot's times: render it before the seat goes.
        let office = offices::find(c, &current.office_id)?.ok_or_else(unknown_office)?;
        let mut cancelled = current.clone();
        cancelled.status = Status::Cancelled.as_str().into();
        cancelled.sequence += 1;
        enqueue_mail_to_parties(c, rules, &cancelled, &office, mail::Kind::Cancelled)?;
        appointments::set_status(c, current.id, Status::Cancelled, false, now)?;
        let subject = current.id.to_string();
        crate::audit::record(
            c,
            actor.event("appointment.cancelled", &current.office_id, &subject),
        )?;
        Ok(())
    })?;
    let a = appointments::find_by_reference(conn, reference)?.ok_or_else(unknown_slot)?;
    let mut v = view_found(conn, rules, &a)?;
    v.documents.clear();
    Ok(v)
}

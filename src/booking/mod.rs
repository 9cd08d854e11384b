//! Booking use cases: list slots, book, view, reschedule, cancel. Each runs on one connection
//! and each change in one write transaction.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::json;

use crate::db::appointments::{self, Appointment, NewAppointment, PartyRow};
use crate::db::offices::{self, Office};
use crate::db::slots::{self, to_local};
use crate::db::{self, DbConn};
use crate::domain::eligibility::{self, OfficeRef, Party};
use crate::domain::schedule::{slots_on, SlotTime};
use crate::domain::{DivisionCode, IdNumber, Policy};
use crate::errors::ApiError;
use crate::mail;
use crate::scheduling::Scheduling;
use crate::telemetry::Masked;
use crate::tokens;
use lettre::message::Mailbox;

/// What booking needs from the application.
pub struct Rules<'a> {
    pub policy: &'a Policy,
    pub scheduling: &'a Scheduling,
    /// Sender of the couples' mail (the invitation's organizer).
    pub mail_from: &'a Mailbox,
    /// Hours before the appointment the reminder goes out (0: none).
    pub reminder_hours: u32,
    /// GB/T 2260 prefix of this instance's region.
    pub region_prefix: &'a str,
    /// Partner instances to notify of registrations.
    pub directory: &'a crate::partner::Directory,
}

impl<'a> Rules<'a> {
    /// The rules of a running application.
    pub fn of(state: &'a crate::startup::AppState) -> Rules<'a> {
        Rules {
            policy: &state.policy,
            scheduling: &state.scheduling,
            mail_from: &state.mail_from,
            reminder_hours: state.reminder_hours,
            region_prefix: &state.region_prefix,
            directory: &state.partners.directory,
        }
    }
}

/// A slot as the API shows it.
#[derive(Debug, Serialize)]
pub struct SlotView {
    pub id: String,
    pub start: String,
    pub end: String,
    pub capacity: i32,
    pub remaining: i32,
}

/// RFC 3339 with the +08:00 offset, from a Shanghai wall-clock time.
pub fn rfc3339_local(local: NaiveDateTime) -> String {
    format!("{}+08:00", local.format("%Y-%m-%dT%H:%M:%S"))
}

fn slot_not_bookable(why_en: &str, why_zh: &str) -> ApiError {
    ApiError::unprocessable("slot_not_bookable", "Slot not bookable", "该时段不可预约")
        .with_detail(why_en.to_owned(), why_zh.to_owned())
}

fn unknown_slot() -> ApiError {
    ApiError::not_found("The slot")
        .with_detail("This office has no such slot.", "该登记处没有此预约时段。")
}

fn unknown_office() -> ApiError {
    ApiError::not_found("The office")
        .with_detail("No office has this id.", "没有此编号的婚姻登记处。")
}

/// The bookable slots of an office between two dates (inclusive), as of `now` (Shanghai).
pub fn list_slots(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    office_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    now: NaiveDateTime,
) -> Result<Vec<SlotView>, ApiError> {
    if offices::find(conn, office_id)?.is_none() {
        return Err(unknown_office());
    }
    let s = rules.scheduling;
    let rule = slots::rule_for(conn, office_id, &s.default_rule)?;
    let first = from.max(now.date());
    let last = to.min(s.window.last_day(now));
    let mut computed: Vec<SlotTime> = Vec::new();
    for day in first.iter_days().take_while(|d| *d <= last) {
        computed.extend(
            slots_on(&rule, &s.exceptions, &s.calendar, day)
                .into_iter()
                .filter(|t| s.window.allows(now, t.start)),
        );
    }
    let (Some(earliest), Some(latest)) = (computed.first(), computed.last()) else {
        return Ok(Vec::new());
    };
    let stored: std::collections::HashMap<String, slots::SlotRow> =
        slots::stored_between(conn, office_id, earliest.start, latest.end)?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
    Ok(computed
        .iter()
        .map(|t| {
            let id = slots::slot_id(office_id, t.start);
            let row = stored.get(&id);
            let capacity = row.map_or(t.capacity as i32, |r| r.capacity);
            let booked = row.map_or(0, |r| r.booked);
            SlotView {
                id,
                start: rfc3339_local(t.start),
                end: rfc3339_local(t.end),
                capacity,
                remaining: (capacity - booked).max(0),
            }
        })
        .collect())
}

/// Resolves a slot id for booking: the office exists, the slot is in its schedule, and the
/// booking window allows it now.
fn resolve_slot(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    office_id: &str,
    slot_id: &str,
    now: NaiveDateTime,
) -> Result<(Office, SlotTime), ApiError> {
    let office = offices::find(conn, office_id)?.ok_or_else(unknown_office)?;
    let (slot_office, start) = slots::parse_slot_id(slot_id).ok_or_else(unknown_slot)?;
    if slot_office != office_id {
        return Err(unknown_slot());
    }
    let s = rules.scheduling;
    let rule = slots::rule_for(conn, office_id, &s.default_rule)?;
    let slot = slots_on(&rule, &s.exceptions, &s.calendar, start.date())
        .into_iter()
        .find(|t| t.start == start)
        .ok_or_else(unknown_slot)?;
    if start <= now {
        return Err(slot_not_bookable(
            "The slot has already begun.",
            "该时段已开始或已过去。",
        ));
    }
    if !s.window.allows(now, start) {
        return Err(slot_not_bookable(
            &format!(
                "Slots can be booked from {} days before their day until {} minutes before they start.",
                s.window.days_ahead, s.window.min_notice_minutes
            ),
            &format!(
                "预约时段须在当天前{}天内、开始前{}分钟之前预约。",
                s.window.days_ahead, s.window.min_notice_minutes
            ),
        ));
    }
    Ok((office, slot))
}

pub(crate) fn office_ref(office: &Office) -> Result<OfficeRef, ApiError> {
    Ok(OfficeRef {
        id: office.id.clone(),
        name: office.name.clone(),
        division: DivisionCode::parse(&office.division_code).map_err(ApiError::internal)?,
    })
}

/// Eligibility for that office on that day, or 422 `not_eligible` with the problems.
pub(crate) fn require_eligible(
    rules: &Rules<'_>,
    parties: &[Party; 2],
    office: &Office,
    day: NaiveDate,
) -> Result<eligibility::Assessment, ApiError> {
    let refs = [office_ref(office)?];
    let a = eligibility::assess(rules.policy, parties, day, &refs);
    if !a.eligible {
        return Err(
            ApiError::unprocessable("not_eligible", "Not eligible", "不符合登记条件")
                .with_detail(
                    "This couple may not register at this office on that day; see problems.",
                    "该当事人不能在该日于该登记处办理结婚登记，详见 problems。",
                )
                .with_extension("problems", json!(a.problems)),
        );
    }
    Ok(a)
}

/// A booking request, parsed.
pub struct BookingRequest {
    pub office_id: String,
    pub slot_id: String,
    pub parties: [Party; 2],
    pub email: String,
    pub phone: Option<String>,
}

/// Books a slot for both parties. Returns the appointment's view and the manage token (only
/// ever returned here).
pub fn book(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    req: &BookingRequest,
    now: NaiveDateTime,
) -> Result<(serde_json::Value, String), ApiError> {
    let (office, slot) = resolve_slot(conn, rules, &req.office_id, &req.slot_id, now)?;
    let assessment = require_eligible(rules, &req.parties, &office, slot.start.date())?;
    let token = tokens::secret();
    let token_hash = tokens::hash(&token);
    let row = slots::new_row(&office.id, &slot);
    let appointment = db::write_tx(conn, |c| -> Result<Appointment, ApiError> {
        slots::ensure(c, &row)?;
        if !slots::take_seat(c, &row.id)? {
            return Err(
                ApiError::conflict("slot_full", "Slot full", "该时段已约满").with_detail(
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
                status: "booked",
                contact_email: &req.email,
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
            .ok_or_else(|| ApiError::internal("no free appointment reference in 5 draws"))?;
        let rows: Vec<PartyRow> = req
            .parties
            .iter()
            .enumerate()
            .map(|(i, p)| party_row(id, i, p))
            .collect();
        if !appointments::insert_parties(c, &rows)? {
            return Err(ApiError::conflict(
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
            .ok_or_else(|| ApiError::internal("appointment vanished in its own transaction"))?;
        enqueue_mail(c, rules, &a, &office, mail::Kind::Confirmation)?;
        enqueue_reminder(c, rules, &a)?;
        Ok(a)
    })?;
    tracing::info!(
        reference = %appointment.reference,
        party0 = %Masked(req.parties[0].id_number.as_str()),
        party1 = %Masked(req.parties[1].id_number.as_str()),
        slot = %row.id,
        "appointment booked"
    );
    let mut view = view_of(conn, &appointment, &office, Some(&assessment))?;
    view["manage_token"] = json!(token);
    Ok((view, token))
}

pub(crate) fn party_row(appointment_id: i64, idx: usize, p: &Party) -> PartyRow {
    PartyRow {
        appointment_id,
        idx: idx as i32,
        id_number: p.id_number.as_str().to_owned(),
        name: p.name.clone(),
        hukou_division_code: p.hukou.to_string(),
        permit_division_code: p.residence_permit.map(|r| r.division.to_string()),
        permit_valid_until: p.residence_permit.map(|r| r.valid_until),
        active: true,
    }
}

/// The stored parties as domain values (for documents and re-checks).
pub(crate) fn stored_parties(rows: &[PartyRow]) -> Result<[Party; 2], ApiError> {
    let parse = |r: &PartyRow| -> Result<Party, ApiError> {
        // Stored numbers were valid when booked; judge them against a far date so a birth
        // date is never "in the future".
        let far = NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date");
        Ok(Party {
            id_number: IdNumber::parse(&r.id_number, far).map_err(ApiError::internal)?,
            name: r.name.clone(),
            hukou: DivisionCode::parse(&r.hukou_division_code).map_err(ApiError::internal)?,
            residence_permit: match (&r.permit_division_code, r.permit_valid_until) {
                (Some(d), Some(until)) => Some(eligibility::ResidencePermit {
                    division: DivisionCode::parse(d).map_err(ApiError::internal)?,
                    valid_until: until,
                }),
                _ => None,
            },
        })
    };
    match rows {
        [a, b] => Ok([parse(a)?, parse(b)?]),
        _ => Err(ApiError::internal("an appointment without two parties")),
    }
}

/// The appointment as its holders see it: ID numbers masked.
fn view_of(
    conn: &mut DbConn,
    a: &Appointment,
    office: &Office,
    assessment: Option<&eligibility::Assessment>,
) -> Result<serde_json::Value, ApiError> {
    let rows = appointments::parties(conn, a.id)?;
    let slot = match &a.slot_id {
        Some(id) => slots::find(conn, id)?,
        None => None,
    };
    let documents = match assessment {
        Some(x) => json!(x.documents),
        None => json!([]),
    };
    Ok(json!({
        "reference": a.reference,
        "status": a.status,
        "office": {
            "id": office.id,
            "name": office.name,
            "division_code": office.division_code,
            "address": office.address,
            "phone": office.phone,
        },
        "slot": slot.map(|s| json!({
            "id": s.id,
            "start": rfc3339_local(to_local(s.starts_at)),
            "end": rfc3339_local(to_local(s.ends_at)),
        })),
        "parties": rows.iter().map(|r| json!({
            "name": r.name,
            "id_number_masked": crate::telemetry::mask(&r.id_number),
        })).collect::<Vec<_>>(),
        "contact": {"email": a.contact_email, "phone": a.contact_phone},
        "documents": documents,
        "created_at": crate::clock::rfc3339_utc(a.created_at),
    }))
}

/// The appointment if `token` opens it; otherwise 404, so references cannot be probed.
fn authorised(
    conn: &mut DbConn,
    reference: &str,
    token: Option<&str>,
) -> Result<Appointment, ApiError> {
    let not_found = || {
        ApiError::not_found("The appointment").with_detail(
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

fn documents_for(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
    office: &Office,
) -> Result<eligibility::Assessment, ApiError> {
    let parties = stored_parties(&appointments::parties(conn, a.id)?)?;
    let day = match &a.slot_id {
        Some(id) => slots::parse_slot_id(id).map(|(_, s)| s.date()),
        None => None,
    }
    .unwrap_or_else(crate::clock::today);
    Ok(eligibility::assess(
        rules.policy,
        &parties,
        day,
        &[office_ref(office)?],
    ))
}

/// `GET`: the appointment.
pub fn view(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    reference: &str,
    token: Option<&str>,
) -> Result<serde_json::Value, ApiError> {
    let a = authorised(conn, reference, token)?;
    let office = offices::find(conn, &a.office_id)?.ok_or_else(unknown_office)?;
    let assessment = documents_for(conn, rules, &a, &office)?;
    view_of(conn, &a, &office, Some(&assessment))
}

fn closed(status: &str) -> ApiError {
    ApiError::conflict("appointment_closed", "Appointment closed", "预约已结束").with_detail(
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
) -> Result<serde_json::Value, ApiError> {
    let a = authorised(conn, reference, token)?;
    if a.status != "booked" {
        return Err(closed(&a.status));
    }
    let target_office = office_id.unwrap_or(&a.office_id).to_owned();
    if a.slot_id.as_deref() == Some(slot_id) && target_office == a.office_id {
        return view(conn, rules, reference, token);
    }
    let (office, slot) = resolve_slot(conn, rules, &target_office, slot_id, now)?;
    let parties = stored_parties(&appointments::parties(conn, a.id)?)?;
    let assessment = require_eligible(rules, &parties, &office, slot.start.date())?;
    let row = slots::new_row(&office.id, &slot);
    db::write_tx(conn, |c| -> Result<(), ApiError> {
        // Re-read inside the transaction: a concurrent cancel must not be undone.
        let current = appointments::find_by_reference(c, reference)?.ok_or_else(unknown_slot)?;
        if current.status != "booked" {
            return Err(closed(&current.status));
        }
        slots::ensure(c, &row)?;
        if !slots::take_seat(c, &row.id)? {
            return Err(ApiError::conflict("slot_full", "Slot full", "该时段已约满"));
        }
        if let Some(old) = &current.slot_id {
            slots::free_seat(c, old)?;
        }
        appointments::move_to(c, current.id, &office.id, &row.id)?;
        let moved = appointments::find_by_reference(c, reference)?.ok_or_else(unknown_slot)?;
        enqueue_mail(c, rules, &moved, &office, mail::Kind::Rescheduled)?;
        enqueue_reminder(c, rules, &moved)?;
        crate::audit::record(
            c,
            crate::audit::Event::couple(
                "appointment.rescheduled",
                &office.id,
                "appointment",
                &current.id.to_string(),
            ),
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
) -> Result<serde_json::Value, ApiError> {
    authorised(conn, reference, token)?;
    db::write_tx(conn, |c| -> Result<(), ApiError> {
        let current = appointments::find_by_reference(c, reference)?.ok_or_else(unknown_slot)?;
        if current.status != "booked" {
            return Err(closed(&current.status));
        }
        if let Some(slot) = &current.slot_id {
            slots::free_seat(c, slot)?;
        }
        // The cancellation mail needs the slot's times: render it before the seat goes.
        let office = offices::find(c, &current.office_id)?.ok_or_else(unknown_office)?;
        let mut cancelled = current.clone();
        cancelled.status = "cancelled".into();
        cancelled.sequence += 1;
        enqueue_mail(c, rules, &cancelled, &office, mail::Kind::Cancelled)?;
        appointments::set_status(c, current.id, "cancelled", false)?;
        crate::audit::record(
            c,
            crate::audit::Event::couple(
                "appointment.cancelled",
                &current.office_id,
                "appointment",
                &current.id.to_string(),
            ),
        )?;
        Ok(())
    })?;
    let mut v = view(conn, rules, reference, token)?;
    v["documents"] = json!([]);
    Ok(v)
}

pub mod listing_cache;
mod notices;
mod sweep;

pub use notices::reminder;
use notices::{enqueue_mail, enqueue_reminder};
pub use sweep::{sweep_loop, sweep_no_shows};

//! The registrar's side of an application: the day's queue, reading one application, check-in
//! and walk-ins. Every read of a person's data leaves an audit event.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::audit::{self, Event};
use crate::auth::{Role, Staff};
use crate::booking::{self, rfc3339_local, Rules};
use crate::db::appointments::{self, Appointment, NewAppointment};
use crate::db::slots::to_local;
use crate::db::{self, offices, DbConn};
use crate::domain::eligibility::Party;
use crate::errors::ApiError;
use crate::schema::{appointments as a, slots as s};
use crate::tokens;

/// Roles that work the counter.
pub const COUNTER: [Role; 2] = [Role::Registrar, Role::Supervisor];

/// 409 `invalid_transition` after a conditional update found the application already moved on.
pub(crate) fn moved_on(conn: &mut DbConn, action: &str, reference: &str) -> ApiError {
    let status = appointments::find_by_reference(conn, reference)
        .ok()
        .flatten()
        .map(|a| a.status)
        .unwrap_or_default();
    invalid_transition(action, &status)
}

/// 409 `invalid_transition`, naming the current status.
pub fn invalid_transition(action: &str, status: &str) -> ApiError {
    ApiError::conflict(
        "invalid_transition",
        "Invalid transition",
        "当前状态不允许此操作",
    )
    .with_detail(
        format!("Cannot {action}: the application is {status}."),
        format!("无法执行此操作（{action}）：申请当前状态为 {status}。"),
    )
    .with_extension("current_status", json!(status))
}

fn not_found() -> ApiError {
    ApiError::not_found("The application")
        .with_detail("No application has this reference.", "没有此编号的申请。")
}

/// An audit event of a staff member acting on an application.
pub(crate) fn staff_event<'a>(
    staff: &'a Staff,
    id: &'a str,
    action: &'a str,
    subject: &'a str,
    details: Value,
) -> Event<'a> {
    Event::by_staff(staff, id, action, Some(("appointment", subject)), details)
}

/// The application with this reference, for counter staff of its office (else 403/404).
pub(crate) fn load(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
) -> Result<Appointment, ApiError> {
    staff.require_role(&COUNTER)?;
    let app = appointments::find_by_reference(conn, reference)?.ok_or_else(not_found)?;
    staff.require_office(&app.office_id)?;
    Ok(app)
}

/// The day's queue of an office: booked slots of that day and walk-ins taken that day, in
/// order, parties masked. One audit event records the read.
pub fn queue(
    conn: &mut DbConn,
    staff: &Staff,
    office_id: &str,
    day: NaiveDate,
) -> Result<Value, ApiError> {
    staff.require_role(&COUNTER)?;
    staff.require_office(office_id)?;
    let (from, to) = crate::db::slots::day_range_utc(day, day);
    let booked: Vec<(Appointment, Option<NaiveDateTime>, Option<NaiveDateTime>)> = a::table
        .left_join(s::table)
        .filter(a::office_id.eq(office_id))
        .filter(a::status.ne("cancelled"))
        .filter(
            s::starts_at.ge(from).and(s::starts_at.lt(to)).or(a::slot_id
                .is_null()
                .and(a::created_at.ge(from))
                .and(a::created_at.lt(to))),
        )
        .order((s::starts_at.asc(), a::created_at.asc()))
        .select((
            Appointment::as_select(),
            s::starts_at.nullable(),
            s::ends_at.nullable(),
        ))
        .load(conn)?;
    let mut items = Vec::with_capacity(booked.len());
    for (app, start, end) in &booked {
        let parties = appointments::parties(conn, app.id)?;
        items.push(json!({
            "reference": app.reference,
            "status": app.status,
            "walk_in": app.slot_id.is_none(),
            "slot": start.zip(*end).map(|(s, e)| json!({
                "start": rfc3339_local(to_local(s)),
                "end": rfc3339_local(to_local(e)),
            })),
            "parties": parties.iter().map(|p| json!({
                "name": p.name,
                "id_number_masked": crate::telemetry::mask(&p.id_number),
            })).collect::<Vec<_>>(),
        }));
    }
    let actor = staff.id.to_string();
    audit::record(
        conn,
        Event {
            actor_kind: "staff",
            actor_role: Some(staff.role.as_str()),
            request_id: staff.request_id.as_deref(),
            actor_id: Some(&actor),
            office_id: Some(office_id),
            action: "queue.read",
            subject_kind: Some("office"),
            subject_id: Some(office_id),
            details: json!({ "date": day.to_string(), "applications": items.len() }),
        },
    )?;
    Ok(json!({ "office_id": office_id, "date": day.to_string(), "applications": items }))
}

/// One application in full (ID numbers included, for checking the documents); audited.
pub fn read(conn: &mut DbConn, staff: &Staff, reference: &str) -> Result<Value, ApiError> {
    let app = load(conn, staff, reference)?;
    let parties = appointments::parties(conn, app.id)?;
    let slot = match &app.slot_id {
        Some(id) => db::slots::find(conn, id)?,
        None => None,
    };
    let actor = staff.id.to_string();
    let subject = app.id.to_string();
    audit::record(
        conn,
        staff_event(
            staff,
            &actor,
            "application.read",
            &subject,
            json!({ "reference": app.reference }),
        ),
    )?;
    tracing::info!(reference = %app.reference, staff = staff.id, "application read");
    Ok(json!({
        "reference": app.reference,
        "status": app.status,
        "office_id": app.office_id,
        "walk_in": app.slot_id.is_none(),
        "slot": slot.map(|s| json!({
            "id": s.id,
            "start": rfc3339_local(to_local(s.starts_at)),
            "end": rfc3339_local(to_local(s.ends_at)),
        })),
        "parties": parties.iter().map(|p| json!({
            "name": p.name,
            "id_number": p.id_number,
            "hukou_division_code": p.hukou_division_code,
            "residence_permit": p.permit_division_code.as_ref().map(|d| json!({
                "division_code": d,
                "valid_until": p.permit_valid_until.map(|v| v.to_string()),
            })),
        })).collect::<Vec<_>>(),
        "contact": { "email": app.contact_email, "phone": app.contact_phone },
        "created_at": crate::clock::rfc3339_utc(app.created_at),
    }))
}

/// Check-in (初审 begins): a booked application, at the staff member's office, on its slot's day.
pub fn check_in(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
    today: NaiveDate,
) -> Result<Value, ApiError> {
    staff.require_role(&COUNTER)?;
    db::write_tx(conn, |c| -> Result<(), ApiError> {
        let app = load(c, staff, reference)?;
        if app.status != "booked" {
            return Err(invalid_transition("check in", &app.status));
        }
        let slot = match &app.slot_id {
            Some(id) => db::slots::find(c, id)?,
            None => None,
        }
        .ok_or_else(|| ApiError::internal("a booked application without a slot"))?;
        let day = to_local(slot.starts_at).date();
        if day != today {
            return Err(
                ApiError::conflict("not_today", "Not the appointment's day", "非预约当日")
                    .with_detail(
                        format!("The appointment is on {day}; check-in happens on that day only."),
                        format!("预约日期为 {day}，只能在当日报到。"),
                    )
                    .with_extension("current_status", json!(app.status)),
            );
        }
        appointments::set_status(c, app.id, "checked_in", true)?;
        let actor = staff.id.to_string();
        let subject = app.id.to_string();
        audit::record(
            c,
            staff_event(staff, &actor, "application.checked_in", &subject, json!({})),
        )?;
        Ok(())
    })?;
    read(conn, staff, reference)
}

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
) -> Result<Value, ApiError> {
    let (office_id, parties) = (w.office_id.as_str(), &w.parties);
    let (email, phone) = (w.email.as_deref(), w.phone.as_deref());
    staff.require_role(&COUNTER)?;
    staff.require_office(office_id)?;
    let office =
        offices::find(conn, office_id)?.ok_or_else(|| ApiError::not_found("The office"))?;
    booking::require_eligible(rules, parties, &office, today)?;
    let token_hash = tokens::hash(&tokens::secret());
    let reference = db::write_tx(conn, |c| -> Result<String, ApiError> {
        let stamp = crate::clock::now();
        for _ in 0..5 {
            let reference = tokens::reference("AP");
            let new = NewAppointment {
                reference: &reference,
                manage_token_hash: &token_hash,
                office_id,
                slot_id: None,
                status: "checked_in",
                contact_email: email.unwrap_or(""),
                contact_phone: phone,
                sequence: 0,
                created_at: stamp,
                updated_at: stamp,
            };
            let Some(id) = appointments::insert(c, &new)? else {
                continue;
            };
            let rows: Vec<_> = parties
                .iter()
                .enumerate()
                .map(|(i, p)| booking::party_row(id, i, p))
                .collect();
            if !appointments::insert_parties(c, &rows)? {
                return Err(
                    ApiError::conflict("already_booked", "Already booked", "已有有效预约")
                        .with_detail(
                            "One of the parties already holds an active application.",
                            "一方当事人已有有效的预约或申请。",
                        ),
                );
            }
            let actor = staff.id.to_string();
            let subject = id.to_string();
            audit::record(
                c,
                staff_event(staff, &actor, "application.walk_in", &subject, json!({})),
            )?;
            return Ok(reference);
        }
        Err(ApiError::internal("no free reference in 5 draws"))
    })?;
    read(conn, staff, &reference)
}

//! The registrar's side of an application: the day's queue, reading one application, check-in
//! and walk-ins. Every read of a person's data leaves an audit event.

use chrono::NaiveDate;
use serde::Serialize;

use hunyin_domain::eligibility::Document;
use hunyin_domain::staff::Role;
use hunyin_domain::time::{day_range_utc, rfc3339_utc, to_local};
use hunyin_domain::{Policy, Status};
use hunyin_store::appointments::{self, Appointment};
use hunyin_store::{self as db, offices, DbConn};

use crate::audit::{self, Details, Event};
use crate::auth::Staff;
use crate::booking;
use crate::error::AppError;
use crate::views::{MaskedParty, SlotTimes};

mod walk_in;
pub use walk_in::{walk_in, WalkIn};

/// Roles that work the counter.
pub const COUNTER: [Role; 2] = [Role::Registrar, Role::Supervisor];

/// 409 `invalid_transition` after a conditional update found the application already moved on.
pub(crate) fn moved_on(conn: &mut DbConn, action: &str, reference: &str) -> AppError {
    let status = appointments::find_by_reference(conn, reference)
        .ok()
        .flatten()
        .map(|a| a.status)
        .unwrap_or_default();
    invalid_transition(action, &status)
}

/// 409 `invalid_transition`, naming the current status.
pub fn invalid_transition(action: &str, status: &str) -> AppError {
    AppError::conflict(
        "invalid_transition",
        "Invalid transition",
        "当前状态不允许此操作",
    )
    .with_detail(
        format!("Cannot {action}: the application is {status}."),
        format!("无法执行此操作（{action}）：申请当前状态为 {status}。"),
    )
    .with_extension("current_status", status)
}

fn not_found() -> AppError {
    AppError::not_found("The application")
        .with_detail("No application has this reference.", "没有此编号的申请。")
}

/// Records that `staff` did `action` on the application `appointment_id`.
pub(crate) fn audit_application(
    conn: &mut DbConn,
    staff: &Staff,
    appointment_id: i64,
    action: &str,
    details: Details,
) -> diesel::QueryResult<()> {
    let (actor, subject) = (staff.id.to_string(), appointment_id.to_string());
    let subject = Some(("appointment", subject.as_str()));
    audit::record(
        conn,
        Event::by_staff(staff, &actor, action, subject, details),
    )
}

/// As [`audit_application`], and when `other_office` is not the actor's, the same event in
/// that office's trail too (each office's auditors search their own trail only).
pub(crate) fn audit_application_in_both(
    conn: &mut DbConn,
    staff: &Staff,
    appointment_id: i64,
    action: &str,
    details: Details,
    other_office: &str,
) -> diesel::QueryResult<()> {
    audit_application(conn, staff, appointment_id, action, details.clone())?;
    if other_office == staff.office_id {
        return Ok(());
    }
    let (actor, subject) = (staff.id.to_string(), appointment_id.to_string());
    let subject = Some(("appointment", subject.as_str()));
    let theirs = Event::by_staff(staff, &actor, action, subject, details);
    audit::record(
        conn,
        Event {
            office_id: Some(other_office),
            ..theirs
        },
    )
}

/// The marriage application with this reference, for counter staff of its office (else
/// 403/404; 409 `not_a_marriage_visit` for a divorce's visit, which the divorce counter takes).
pub(crate) fn load(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
) -> Result<Appointment, AppError> {
    let app = load_any(conn, staff, reference)?;
    booking::VisitKind::of(&app.service).require_marriage()?;
    Ok(app)
}

/// [`load`] of any appointment, a divorce's visit too (for the reads: none of the marriage's
/// records exist for it, so they answer empty or 404).
pub(crate) fn load_any(
    conn: &mut DbConn,
    staff: &Staff,
    reference: &str,
) -> Result<Appointment, AppError> {
    staff.require_role(&COUNTER)?;
    let app = appointments::find_by_reference(conn, reference)?.ok_or_else(not_found)?;
    staff.require_office(&app.office_id)?;
    Ok(app)
}

/// One application in the day's queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    pub reference: String,
    /// `marriage`, `divorce` (the application visit of a divorce) or `divorce_issue`.
    pub service: String,
    pub status: String,
    pub walk_in: bool,
    pub slot: Option<SlotTimes>,
    pub parties: Vec<MaskedParty>,
}

/// The day's queue of an office.
#[derive(Debug, Clone, Serialize)]
pub struct QueueView {
    pub office_id: String,
    pub date: String,
    pub applications: Vec<QueueItem>,
}

/// The day's queue of an office: booked slots of that day and walk-ins taken that day, in
/// order, parties masked. One audit event records the read.
pub fn queue(
    conn: &mut DbConn,
    staff: &Staff,
    office_id: &str,
    day: NaiveDate,
) -> Result<QueueView, AppError> {
    staff.require_role(&COUNTER)?;
    staff.require_office(office_id)?;
    let (from, to) = day_range_utc(day, day);
    let booked = appointments::of_day(conn, office_id, from, to)?;
    let mut items = Vec::with_capacity(booked.len());
    for (app, start, end) in booked {
        let parties = appointments::parties(conn, app.id)?;
        items.push(QueueItem {
            walk_in: app.slot_id.is_none(),
            slot: start.zip(end).map(|(s, e)| SlotTimes::from_utc(None, s, e)),
            parties: parties
                .iter()
                .map(|p| MaskedParty::new(&p.name, &p.id_number))
                .collect(),
            reference: app.reference,
            service: app.service,
            status: app.status,
        });
    }
    let actor = staff.id.to_string();
    audit::record(
        conn,
        Event::by_staff(
            staff,
            &actor,
            "queue.read",
            Some(("office", office_id)),
            Details::none()
                .with("date", day.to_string())
                .with("applications", items.len()),
        ),
    )?;
    Ok(QueueView {
        office_id: office_id.to_owned(),
        date: day.to_string(),
        applications: items,
    })
}

/// A residence permit as the counter reads it.
#[derive(Debug, Clone, Serialize)]
pub struct PermitView {
    pub division_code: String,
    pub valid_until: Option<String>,
}

/// A party in full.
#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    pub name: String,
    pub id_number: String,
    pub hukou_division_code: String,
    pub residence_permit: Option<PermitView>,
}

/// How the couple can be reached.
#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub email: String,
    pub phone: Option<String>,
}

/// One application in full, for the counter.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    pub reference: String,
    /// `marriage`, `divorce` or `divorce_issue`.
    pub service: String,
    pub status: String,
    pub office_id: String,
    pub walk_in: bool,
    pub slot: Option<SlotTimes>,
    pub parties: Vec<PartyView>,
    pub contact: ContactView,
    /// What the couple brings, by the registration day's period (policy data).
    pub documents: Vec<Document>,
    /// How each party was identified, in party order.
    pub identified_by: Vec<crate::booking::Identification>,
    pub created_at: String,
}

/// One application in full (ID numbers included, for checking the documents) with the documents
/// checklist of its day's period; audited.
pub fn read(
    conn: &mut DbConn,
    policy: &Policy,
    staff: &Staff,
    reference: &str,
) -> Result<ApplicationView, AppError> {
    let app = match load_any(conn, staff, reference) {
        Err(e) if e.code == "forbidden_office" => {
            // Another office's application: refused, and the attempt is in both trails.
            if let Some(app) = appointments::find_by_reference(conn, reference)? {
                let details = Details::none().with("reference", &app.reference);
                let action = "application.read_refused";
                db::write_tx(conn, |c| {
                    audit_application_in_both(c, staff, app.id, action, details, &app.office_id)
                })?;
            }
            return Err(e);
        }
        other => other?,
    };
    let office = offices::find(conn, &app.office_id)?
        .ok_or_else(|| AppError::internal("application of an unknown office"))?;
    let documents = booking::documents_for(conn, policy, &app, &office)?.documents;
    let parties = appointments::parties(conn, app.id)?;
    let slot = match &app.slot_id {
        Some(id) => db::slots::find(conn, id)?,
        None => None,
    };
    audit_application(
        conn,
        staff,
        app.id,
        "application.read",
        Details::none().with("reference", &app.reference),
    )?;
    tracing::info!(reference = %app.reference, staff = staff.id, "application read");
    let identified_by = crate::booking::identification(conn, &app)?;
    Ok(ApplicationView {
        identified_by,
        walk_in: app.slot_id.is_none(),
        slot: slot.map(|s| SlotTimes::from_utc(Some(s.id), s.starts_at, s.ends_at)),
        parties: parties
            .into_iter()
            .map(|p| PartyView {
                residence_permit: p.permit_division_code.map(|d| PermitView {
                    division_code: d,
                    valid_until: p.permit_valid_until.map(|v| v.to_string()),
                }),
                name: p.name,
                id_number: p.id_number,
                hukou_division_code: p.hukou_division_code,
            })
            .collect(),
        contact: ContactView {
            email: app.contact_email,
            phone: app.contact_phone,
        },
        documents,
        created_at: rfc3339_utc(app.created_at),
        reference: app.reference,
        service: app.service,
        status: app.status,
        office_id: app.office_id,
    })
}

/// Check-in (初审 begins): a booked application, at the staff member's office, on its slot's day.
pub fn check_in(
    conn: &mut DbConn,
    policy: &Policy,
    staff: &Staff,
    reference: &str,
    today: NaiveDate,
) -> Result<ApplicationView, AppError> {
    staff.require_role(&COUNTER)?;
    db::write_tx(conn, |c| -> Result<(), AppError> {
        let app = load(c, staff, reference)?;
        if app.status != Status::Booked {
            return Err(invalid_transition("check in", &app.status));
        }
        let slot = match &app.slot_id {
            Some(id) => db::slots::find(c, id)?,
            None => None,
        }
        .ok_or_else(|| AppError::internal("a booked application without a slot"))?;
        let day = to_local(slot.starts_at).date();
        if day != today {
            return Err(
                AppError::conflict("not_today", "Not the appointment's day", "非预约当日")
                    .with_detail(
                        format!("The appointment is on {day}; check-in happens on that day only."),
                        format!("预约日期为 {day}，只能在当日报到。"),
                    )
                    .with_extension("current_status", &app.status),
            );
        }
        appointments::set_status(c, app.id, Status::CheckedIn, true, crate::clock::now())?;
        audit_application(c, staff, app.id, "application.checked_in", Details::none())?;
        Ok(())
    })?;
    read(conn, policy, staff, reference)
}

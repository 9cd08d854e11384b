//! The audit trail: one row per state change or read of a person's data, written in the same
//! transaction as the change it records.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::audit_events;

/// One event to record.
pub struct Event<'a> {
    pub actor_kind: &'static str,
    /// The staff role, for staff actors.
    pub actor_role: Option<&'a str>,
    /// The request that caused the event, when there was one.
    pub request_id: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub office_id: Option<&'a str>,
    pub action: &'a str,
    pub subject_kind: Option<&'a str>,
    pub subject_id: Option<&'a str>,
    pub details: serde_json::Value,
}

impl<'a> Event<'a> {
    /// An action of a signed-in staff member (`actor` is their id as text) on a subject.
    pub fn by_staff(
        staff: &'a crate::auth::Staff,
        actor: &'a str,
        action: &'a str,
        subject: Option<(&'a str, &'a str)>,
        details: serde_json::Value,
    ) -> Self {
        Event {
            actor_kind: "staff",
            actor_role: Some(staff.role.as_str()),
            request_id: staff.request_id.as_deref(),
            actor_id: Some(actor),
            office_id: Some(&staff.office_id),
            action,
            subject_kind: subject.map(|s| s.0),
            subject_id: subject.map(|s| s.1),
            details,
        }
    }

    /// An action of a couple (anonymous, authorised by their manage token).
    pub fn couple(
        action: &'a str,
        office_id: &'a str,
        subject_kind: &'a str,
        subject_id: &'a str,
    ) -> Self {
        Event {
            actor_kind: "couple",
            actor_role: None,
            request_id: None,
            actor_id: None,
            office_id: Some(office_id),
            action,
            subject_kind: Some(subject_kind),
            subject_id: Some(subject_id),
            details: serde_json::json!({}),
        }
    }
}

/// Appends the event.
pub fn record(conn: &mut DbConn, e: Event<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(crate::clock::now()),
            audit_events::actor_kind.eq(e.actor_kind),
            audit_events::actor_role.eq(e.actor_role),
            audit_events::request_id.eq(e.request_id),
            audit_events::actor_id.eq(e.actor_id),
            audit_events::office_id.eq(e.office_id),
            audit_events::action.eq(e.action),
            audit_events::subject_kind.eq(e.subject_kind),
            audit_events::subject_id.eq(e.subject_id),
            audit_events::details.eq(e.details.to_string()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Searches the trail of the staff member's office by person (ID number), actor and date
/// range (Asia/Shanghai dates, inclusive); newest first. Auditors and supervisors only; the
/// search itself is an audit event.
pub fn search(
    conn: &mut DbConn,
    staff: &crate::auth::Staff,
    q: &crate::routes::certificates::AuditSearch,
) -> Result<serde_json::Value, crate::errors::ApiError> {
    use crate::auth::Role;
    use crate::errors::{ApiError, InvalidParam};
    use crate::schema::appointment_parties;
    staff.require_role(&[Role::Auditor, Role::Supervisor])?;
    let mut bad = Vec::new();
    let date = |name: &str, v: &Option<String>, bad: &mut Vec<InvalidParam>| {
        v.as_ref().and_then(|s| {
            let d = crate::clock::parse_date(s);
            if d.is_none() {
                bad.push(InvalidParam::new(name, "invalid_date", "a date YYYY-MM-DD"));
            }
            d
        })
    };
    let from = date("from", &q.from, &mut bad);
    let to = date("to", &q.to, &mut bad);
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        bad.push(InvalidParam::new("limit", "invalid_limit", "1-1000"));
    }
    if !bad.is_empty() {
        return Err(ApiError::invalid(bad));
    }
    let mut query = audit_events::table
        .filter(audit_events::office_id.eq(&staff.office_id))
        .order(audit_events::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(id) = &q.id_number {
        let ids: Vec<String> = appointment_parties::table
            .filter(appointment_parties::id_number.eq(id.trim().to_ascii_uppercase()))
            .select(appointment_parties::appointment_id)
            .load::<i64>(conn)?
            .iter()
            .map(i64::to_string)
            .collect();
        query = query
            .filter(audit_events::subject_kind.eq("appointment"))
            .filter(audit_events::subject_id.eq_any(ids));
    }
    if let Some(actor) = q.actor_id {
        query = query.filter(audit_events::actor_id.eq(actor.to_string()));
    }
    if let Some(d) = from {
        let start = d.and_hms_opt(0, 0, 0).expect("midnight") - chrono::Duration::hours(8);
        query = query.filter(audit_events::occurred_at.ge(start));
    }
    if let Some(d) = to {
        let end = d.and_hms_opt(0, 0, 0).expect("midnight") + chrono::Duration::hours(16);
        query = query.filter(audit_events::occurred_at.lt(end));
    }
    type Row = (
        i64,
        chrono::NaiveDateTime,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        String,
    );
    let rows: Vec<Row> = query
        .select((
            audit_events::id,
            audit_events::occurred_at,
            audit_events::actor_kind,
            audit_events::actor_id,
            audit_events::action,
            audit_events::subject_kind,
            audit_events::subject_id,
            audit_events::details,
        ))
        .load(conn)?;
    let actor = staff.id.to_string();
    record(
        conn,
        Event {
            actor_kind: "staff",
            actor_role: Some(staff.role.as_str()),
            request_id: staff.request_id.as_deref(),
            actor_id: Some(&actor),
            office_id: Some(&staff.office_id),
            action: "audit.searched",
            subject_kind: None,
            subject_id: None,
            details: serde_json::json!({ "by_person": q.id_number.is_some(), "results": rows.len() }),
        },
    )?;
    let events: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|(id, at, kind, actor_id, action, sk, sid, details)| {
            serde_json::json!({
                "id": id,
                "occurred_at": crate::clock::rfc3339_utc(at),
                "actor_kind": kind,
                "actor_id": actor_id,
                "action": action,
                "subject_kind": sk,
                "subject_id": sid,
                "details": serde_json::from_str::<serde_json::Value>(&details).unwrap_or_default(),
            })
        })
        .collect();
    Ok(serde_json::json!({ "office_id": staff.office_id, "events": events }))
}

//! The audit trail: one event per state change or read of a person's data, written in the same
//! transaction as the change it records; and the auditors' search of it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use hunyin_domain::staff::Role;
use hunyin_domain::time::{day_range_utc, parse_date, rfc3339_utc};
use hunyin_store::audit::{self as store, AuditFilter, NewAuditEvent};
use hunyin_store::DbConn;

use crate::auth::Staff;
use crate::error::{AppError, InvalidParam};

/// The free-form attributes of an event (what, how many, which partner), kept as a JSON object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details(Map<String, Value>);

impl Details {
    /// No attributes: `{}`.
    pub fn none() -> Details {
        Details::default()
    }

    /// Adds an attribute; a value that cannot be represented is stored as `null`.
    pub fn with(mut self, key: &str, value: impl Serialize) -> Details {
        self.0.insert(
            key.to_owned(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
        self
    }

    /// The attributes as stored.
    pub fn to_text(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }
}

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
    pub details: Details,
}

impl<'a> Event<'a> {
    /// An action of a signed-in staff member (`actor` is their id as text) on a subject.
    pub fn by_staff(
        staff: &'a Staff,
        actor: &'a str,
        action: &'a str,
        subject: Option<(&'a str, &'a str)>,
        details: Details,
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
            details: Details::none(),
        }
    }

    /// An action of a signed-in citizen (oidc mode; the actor is the provider's subject) on an
    /// appointment at an office.
    pub fn citizen(
        citizen: &'a crate::citizen::Citizen,
        action: &'a str,
        office_id: &'a str,
        subject_id: &'a str,
    ) -> Self {
        Event {
            actor_kind: "citizen",
            actor_role: None,
            request_id: citizen.request_id.as_deref(),
            actor_id: Some(&citizen.subject),
            office_id: Some(office_id),
            action,
            subject_kind: Some("appointment"),
            subject_id: Some(subject_id),
            details: Details::none(),
        }
    }

    /// An action of the service itself (the sweep) at an office.
    pub fn system(action: &'a str, office_id: &'a str, subject: (&'a str, &'a str)) -> Self {
        Event {
            actor_kind: "system",
            actor_role: None,
            request_id: None,
            actor_id: None,
            office_id: Some(office_id),
            action,
            subject_kind: Some(subject.0),
            subject_id: Some(subject.1),
            details: Details::none(),
        }
    }
}

/// Appends the event, stamped now.
pub fn record(conn: &mut DbConn, e: Event<'_>) -> diesel::QueryResult<()> {
    store::insert(
        conn,
        &NewAuditEvent {
            occurred_at: crate::clock::now(),
            actor_kind: e.actor_kind,
            actor_role: e.actor_role,
            request_id: e.request_id,
            actor_id: e.actor_id,
            office_id: e.office_id,
            action: e.action,
            subject_kind: e.subject_kind,
            subject_id: e.subject_id,
            details: e.details.to_text(),
        },
    )
}

/// `POST /v1/registrar/audit-events/search`: by person (ID number), actor and date range
/// (Asia/Shanghai dates, inclusive). POST, so that an ID number never goes in a URL.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub actor_id: Option<i64>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
    /// The next page: only events older than this id.
    #[serde(default)]
    pub before_id: Option<i64>,
}

/// One event as an auditor reads it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEventView {
    pub id: i64,
    pub occurred_at: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    pub details: Value,
}

/// The answer of a search.
#[derive(Debug, Clone, Serialize)]
pub struct AuditSearchView {
    pub office_id: String,
    pub events: Vec<AuditEventView>,
}

/// Searches the trail of the staff member's office; newest first. Auditors and supervisors
/// only; the search itself is an audit event.
pub fn search(
    conn: &mut DbConn,
    staff: &Staff,
    q: &AuditQuery,
) -> Result<AuditSearchView, AppError> {
    staff.require_role(&[Role::Auditor, Role::Supervisor])?;
    let mut bad = Vec::new();
    let mut date = |name: &str, v: &Option<String>| {
        v.as_ref().and_then(|s| {
            let d = parse_date(s);
            if d.is_none() {
                bad.push(InvalidParam::new(name, "invalid_date", "a date YYYY-MM-DD"));
            }
            d
        })
    };
    let from = date("from", &q.from);
    let to = date("to", &q.to);
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        bad.push(InvalidParam::new("limit", "invalid_limit", "1-1000"));
    }
    if !bad.is_empty() {
        return Err(AppError::invalid(bad));
    }
    let id_number = q
        .id_number
        .as_ref()
        .map(|id| id.trim().to_ascii_uppercase());
    let rows = store::search(
        conn,
        &AuditFilter {
            office_id: &staff.office_id,
            id_number: id_number.as_deref(),
            actor_id: q.actor_id.map(|a| a.to_string()),
            from: from.map(|d| day_range_utc(d, d).0),
            to: to.map(|d| day_range_utc(d, d).1),
            before_id: q.before_id,
            limit,
        },
    )?;
    let actor = staff.id.to_string();
    record(
        conn,
        Event::by_staff(
            staff,
            &actor,
            "audit.searched",
            None,
            Details::none()
                .with("by_person", q.id_number.is_some())
                // Whose trail was read, masked as everywhere (first 6 + last 4).
                .with(
                    "person",
                    id_number.as_deref().map(hunyin_domain::mask::mask),
                )
                .with("results", rows.len()),
        ),
    )?;
    let events = rows
        .into_iter()
        .map(|r| AuditEventView {
            id: r.id,
            occurred_at: rfc3339_utc(r.occurred_at),
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            action: r.action,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            details: serde_json::from_str(&r.details).unwrap_or_default(),
        })
        .collect();
    Ok(AuditSearchView {
        office_id: staff.office_id.clone(),
        events,
    })
}

//! The audit trail: one row per state change or read of a person's data, written in the same
//! transaction as the change it records.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::audit_events;

/// One event to record.
pub struct Event<'a> {
    pub actor_kind: &'static str,
    pub actor_id: Option<&'a str>,
    pub office_id: Option<&'a str>,
    pub action: &'a str,
    pub subject_kind: Option<&'a str>,
    pub subject_id: Option<&'a str>,
    pub details: serde_json::Value,
}

impl<'a> Event<'a> {
    /// An action of a couple (anonymous, authorised by their manage token).
    pub fn couple(
        action: &'a str,
        office_id: &'a str,
        subject_kind: &'a str,
        subject_id: &'a str,
    ) -> Self {
        Event {
            actor_kind: "couple",
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

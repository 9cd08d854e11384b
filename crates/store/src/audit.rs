//! The audit trail's table: appended to in the transaction of the change it records, read by
//! auditors with filters.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{appointment_parties, audit_events};
use crate::DbConn;

/// One event to append.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct NewAuditEvent<'a> {
    pub occurred_at: NaiveDateTime,
    pub actor_kind: &'a str,
    pub actor_role: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub office_id: Option<&'a str>,
    pub action: &'a str,
    pub subject_kind: Option<&'a str>,
    pub subject_id: Option<&'a str>,
    /// A JSON object, as text.
    pub details: String,
}

/// Appends the event.
pub fn insert(conn: &mut DbConn, e: &NewAuditEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(e)
        .execute(conn)
        .map(|_| ())
}

/// A stored event as the search shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    pub details: String,
}

/// What to search for in one office's trail; times are UTC bounds `[from, to)`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub office_id: &'a str,
    /// Only events about the applications of this ID number.
    pub id_number: Option<&'a str>,
    pub actor_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Only events older than this one (the next page, newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// The office's events matching `f`, newest first.
pub fn search(conn: &mut DbConn, f: &AuditFilter<'_>) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_events::table
        .filter(audit_events::office_id.eq(f.office_id))
        .order(audit_events::id.desc())
        .limit(f.limit)
        .into_boxed();
    if let Some(id) = f.id_number {
        let ids: Vec<String> = appointment_parties::table
            .filter(appointment_parties::id_number.eq(id))
            .select(appointment_parties::appointment_id)
            .load::<i64>(conn)?
            .iter()
            .map(i64::to_string)
            .collect();
        query = query
            .filter(audit_events::subject_kind.eq("appointment"))
            .filter(audit_events::subject_id.eq_any(ids));
    }
    if let Some(actor) = &f.actor_id {
        query = query.filter(audit_events::actor_id.eq(actor));
    }
    if let Some(start) = f.from {
        query = query.filter(audit_events::occurred_at.ge(start));
    }
    if let Some(end) = f.to {
        query = query.filter(audit_events::occurred_at.lt(end));
    }
    if let Some(before) = f.before_id {
        query = query.filter(audit_events::id.lt(before));
    }
    query.select(AuditRow::as_select()).load(conn)
}

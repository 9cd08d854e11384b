//! Partner-protocol tables: signature nonces, notifications received, and residents married in
//! another region.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::DbConn;
use crate::schema::{
    appointment_parties, partner_marriages, partner_nonces, partner_notifications,
};

/// Records a nonce; false if this key already used it (a replay), on any instance.
pub fn remember_nonce(
    conn: &mut DbConn,
    key_id: &str,
    nonce: &str,
    keep_until: NaiveDateTime,
) -> QueryResult<bool> {
    // ON CONFLICT DO NOTHING rather than catching the unique violation: a violation aborts a
    // PostgreSQL transaction, and the refusal of a replay is audited in the same one.
    let row = (
        partner_nonces::key_id.eq(key_id),
        partner_nonces::nonce.eq(nonce),
        partner_nonces::expires_at.eq(keep_until),
    );
    let inserted = match conn {
        DbConn::Pg(c) => diesel::insert_into(partner_nonces::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(partner_nonces::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(inserted == 1)
}

/// Deletes nonces past their keeping time.
pub fn purge_nonces(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(partner_nonces::table.filter(partner_nonces::expires_at.lt(now))).execute(conn)
}

/// Whether the person is a party to an application still open here (booked or checked in).
pub fn has_open_application(conn: &mut DbConn, id_number: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        appointment_parties::table
            .filter(appointment_parties::id_number.eq(id_number))
            .filter(appointment_parties::active.eq(true)),
    ))
    .get_result(conn)
}

/// A notification received from a partner.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = partner_notifications)]
pub struct Received {
    pub event_id: String,
    pub partner: String,
    pub kind: String,
    pub certificate_number: String,
    pub office: String,
    pub registered_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
    pub applied: i32,
}

/// The notification with this event id, if it was received before.
pub fn received(conn: &mut DbConn, event_id: &str) -> QueryResult<Option<Received>> {
    partner_notifications::table
        .find(event_id)
        .select(Received::as_select())
        .first(conn)
        .optional()
}

/// Stores a received notification; false if its event id is already stored.
pub fn store_received(conn: &mut DbConn, r: &Received) -> QueryResult<bool> {
    // Inside a savepoint: on PostgreSQL a unique violation would abort the caller's transaction.
    conn.transaction(|c| {
        diesel::insert_into(partner_notifications::table)
            .values(r)
            .execute(c)
    })
    .map(|_| true)
    .or_else(|e| match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Ok(false),
        e => Err(e),
    })
}

/// Sets how many register entries a stored notification changed.
pub fn set_applied(conn: &mut DbConn, event_id: &str, applied: i32) -> QueryResult<()> {
    diesel::update(partner_notifications::table.find(event_id))
        .set(partner_notifications::applied.eq(applied))
        .execute(conn)
        .map(|_| ())
}

/// Remembers that a resident was married by a partner, and their status before.
pub fn record_marriage(
    conn: &mut DbConn,
    event_id: &str,
    certificate_number: &str,
    id_number: &str,
    previous_status: &str,
) -> QueryResult<()> {
    diesel::insert_into(partner_marriages::table)
        .values((
            partner_marriages::event_id.eq(event_id),
            partner_marriages::certificate_number.eq(certificate_number),
            partner_marriages::id_number.eq(id_number),
            partner_marriages::previous_status.eq(previous_status),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The not yet restored marriage of a resident that `partner` registered under certificate
/// `certificate_number`: (row id, status before). A revocation undoes that marriage only.
pub fn open_marriage(
    conn: &mut DbConn,
    id_number: &str,
    certificate_number: &str,
    partner: &str,
) -> QueryResult<Option<(i64, String)>> {
    let from_partner = partner_notifications::table
        .filter(partner_notifications::partner.eq(partner))
        .select(partner_notifications::event_id);
    partner_marriages::table
        .filter(partner_marriages::id_number.eq(id_number))
        .filter(partner_marriages::certificate_number.eq(certificate_number))
        .filter(partner_marriages::event_id.eq_any(from_partner))
        .filter(partner_marriages::restored_at.is_null())
        .order(partner_marriages::id.desc())
        .select((partner_marriages::id, partner_marriages::previous_status))
        .first(conn)
        .optional()
}

/// Marks a partner marriage as undone (revoked).
pub fn restore_marriage(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(partner_marriages::table.find(id))
        .set(partner_marriages::restored_at.eq(Some(at)))
        .execute(conn)
        .map(|_| ())
}

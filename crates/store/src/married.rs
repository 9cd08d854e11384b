//! The parties of marriages registered here: the database's own guard that one person is never
//! registered married twice (a partial unique index on the rows not released by revocation).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::DbConn;
use crate::schema::registered_parties;

/// Records that `id_number` was married by the registration of `appointment_id`; false when
/// the person already holds a registration not released (the unique index refused the row,
/// even if that registration commits at the same instant in another transaction).
pub fn register(
    conn: &mut DbConn,
    appointment_id: i64,
    id_number: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    // Inside a savepoint: on PostgreSQL a unique violation would abort the caller's transaction.
    conn.transaction(|c| {
        diesel::insert_into(registered_parties::table)
            .values((
                registered_parties::appointment_id.eq(appointment_id),
                registered_parties::id_number.eq(id_number),
                registered_parties::registered_at.eq(now),
            ))
            .execute(c)
    })
    .map(|_| true)
    .or_else(|e| match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Ok(false),
        e => Err(e),
    })
}

/// Whether the person holds a marriage registered here and not revoked.
pub fn is_married(conn: &mut DbConn, id_number: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        registered_parties::table
            .filter(registered_parties::id_number.eq(id_number))
            .filter(registered_parties::released_at.is_null()),
    ))
    .get_result(conn)
}

/// Releases the parties of a revoked registration (the rows stay, with the time).
pub fn release(conn: &mut DbConn, appointment_id: i64, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        registered_parties::table
            .filter(registered_parties::appointment_id.eq(appointment_id))
            .filter(registered_parties::released_at.is_null()),
    )
    .set(registered_parties::released_at.eq(Some(at)))
    .execute(conn)
}

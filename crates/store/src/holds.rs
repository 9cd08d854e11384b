//! Holds of `contact` mode: a booking's seat kept until both parties confirm through their own
//! contact, each party's contact and confirmation, and the per-contact lock that makes the
//! holds-per-contact limit hold across instances.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::DbConn;
use crate::schema::{
    appointment_contacts, appointment_holds, appointment_parties, appointments, booking_locks,
};
use hunyin_domain::Status;

/// A hold: its deadline and how it ended.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = appointment_holds)]
pub struct Hold {
    pub appointment_id: i64,
    pub expires_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
    pub lapsed_at: Option<NaiveDateTime>,
}

/// One party's own contact and confirmation.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = appointment_contacts)]
pub struct ContactRow {
    pub appointment_id: i64,
    pub idx: i32,
    pub email: String,
    pub token_hash: String,
    pub confirmed_at: Option<NaiveDateTime>,
}

/// Takes the lock `key` until the end of the caller's transaction (the row is created the first
/// time). On PostgreSQL a concurrent transaction taking the same key waits here; SQLite has one
/// writer at a time anyway.
pub fn lock(conn: &mut DbConn, key: &str, now: NaiveDateTime) -> QueryResult<()> {
    let row = (
        booking_locks::lock_key.eq(key),
        booking_locks::touched_at.eq(now),
    );
    match conn {
        DbConn::Pg(c) => diesel::insert_into(booking_locks::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(booking_locks::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    diesel::update(booking_locks::table.find(key))
        .set(booking_locks::touched_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

/// How many holds still pending confirmation name `email` as a party's contact.
pub fn open_holds_of(conn: &mut DbConn, email: &str) -> QueryResult<i64> {
    appointment_contacts::table
        .inner_join(appointments::table)
        .filter(appointment_contacts::email.eq(email))
        .filter(appointments::status.eq(Status::PendingConfirmation.as_str()))
        .count()
        .get_result(conn)
}

/// Stores the hold and its two contacts.
pub fn insert(conn: &mut DbConn, hold: &Hold, contacts: &[ContactRow]) -> QueryResult<()> {
    diesel::insert_into(appointment_holds::table)
        .values(hold)
        .execute(conn)?;
    for c in contacts {
        diesel::insert_into(appointment_contacts::table)
            .values(c)
            .execute(conn)?;
    }
    Ok(())
}

/// The contact whose link carries the token of this hash.
pub fn contact_by_token(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<ContactRow>> {
    appointment_contacts::table
        .filter(appointment_contacts::token_hash.eq(token_hash))
        .select(ContactRow::as_select())
        .first(conn)
        .optional()
}

/// The hold of an appointment (none for one booked without confirmation).
pub fn find(conn: &mut DbConn, appointment_id: i64) -> QueryResult<Option<Hold>> {
    appointment_holds::table
        .find(appointment_id)
        .select(Hold::as_select())
        .first(conn)
        .optional()
}

/// Both contacts of an appointment, in party order (none for one booked without them).
pub fn contacts(conn: &mut DbConn, appointment_id: i64) -> QueryResult<Vec<ContactRow>> {
    appointment_contacts::table
        .filter(appointment_contacts::appointment_id.eq(appointment_id))
        .order(appointment_contacts::idx)
        .select(ContactRow::as_select())
        .load(conn)
}

/// Marks one party confirmed; false when it already was (a concurrent use of the same link).
pub fn confirm_party(
    conn: &mut DbConn,
    appointment_id: i64,
    idx: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        appointment_contacts::table
            .filter(appointment_contacts::appointment_id.eq(appointment_id))
            .filter(appointment_contacts::idx.eq(idx))
            .filter(appointment_contacts::confirmed_at.is_null()),
    )
    .set(appointment_contacts::confirmed_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records how the hold ended: confirmed by both (`lapsed` false) or released unconfirmed.
pub fn close(
    conn: &mut DbConn,
    appointment_id: i64,
    lapsed: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let q = diesel::update(appointment_holds::table.find(appointment_id));
    if lapsed {
        q.set(appointment_holds::lapsed_at.eq(now)).execute(conn)?;
    } else {
        q.set(appointment_holds::confirmed_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

/// Holds still pending whose deadline passed before `now`: appointment id and office.
pub fn due(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<(i64, String)>> {
    appointment_holds::table
        .inner_join(appointments::table)
        .filter(appointment_holds::confirmed_at.is_null())
        .filter(appointment_holds::lapsed_at.is_null())
        .filter(appointment_holds::expires_at.lt(now))
        .filter(appointments::status.eq(Status::PendingConfirmation.as_str()))
        .select((appointments::id, appointments::office_id))
        .load(conn)
}

/// The active appointments of a person (by ID number) other than `except`, with their status.
pub fn active_of(
    conn: &mut DbConn,
    id_number: &str,
    except: i64,
) -> QueryResult<Vec<(i64, String)>> {
    appointment_parties::table
        .inner_join(appointments::table)
        .filter(appointment_parties::id_number.eq(id_number))
        .filter(appointment_parties::active.eq(true))
        .filter(appointments::id.ne(except))
        .select((appointments::id, appointments::status))
        .load(conn)
}

/// Makes both parties of the appointment active; false when the partial unique index says a
/// person already holds an active appointment (a concurrent confirmation won the race). A
/// savepoint keeps a PostgreSQL transaction usable after the violation.
pub fn activate_parties(conn: &mut DbConn, appointment_id: i64) -> QueryResult<bool> {
    let done = conn.transaction(|c| {
        diesel::update(
            appointment_parties::table
                .filter(appointment_parties::appointment_id.eq(appointment_id)),
        )
        .set(appointment_parties::active.eq(true))
        .execute(c)
    });
    match done {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The appointment with this id.
pub fn appointment(
    conn: &mut DbConn,
    id: i64,
) -> QueryResult<Option<crate::appointments::Appointment>> {
    appointments::table
        .find(id)
        .select(crate::appointments::Appointment::as_select())
        .first(conn)
        .optional()
}

/// Locks the hold's row until the end of the caller's transaction, so that the two parties'
/// confirmations of one hold run one after the other (the second sees the first) on
/// PostgreSQL; SQLite has one writer at a time anyway.
pub fn lock_hold(conn: &mut DbConn, appointment_id: i64) -> QueryResult<()> {
    diesel::update(appointment_holds::table.find(appointment_id))
        .set(appointment_holds::expires_at.eq(appointment_holds::expires_at))
        .execute(conn)
        .map(|_| ())
}

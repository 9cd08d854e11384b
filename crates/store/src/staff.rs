//! Staff accounts, sessions and failed sign-ins.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use crate::schema::{sign_in_failures, staff, staff_sessions};

/// A staff account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff)]
pub struct StaffRow {
    pub id: i64,
    pub office_id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

/// A staff account to create.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = staff)]
pub struct NewStaff<'a> {
    pub office_id: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

/// Creates an account; `Ok(false)` when the username is taken.
pub fn insert(conn: &mut DbConn, new: &NewStaff<'_>) -> QueryResult<bool> {
    let done = conn.transaction(|c| diesel::insert_into(staff::table).values(new).execute(c));
    match done {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The account with this username.
pub fn by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<StaffRow>> {
    staff::table
        .filter(staff::username.eq(username))
        .select(StaffRow::as_select())
        .first(conn)
        .optional()
}

/// The live session with this token hash: not expired, not revoked, account enabled, and used
/// after `idle_since` (when given). A live session is marked used at `now`, at most once a
/// minute (a write per request would be one per page view).
pub fn by_session(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
    idle_since: Option<NaiveDateTime>,
    touch: bool,
) -> QueryResult<Option<StaffRow>> {
    let mut q = staff_sessions::table
        .inner_join(staff::table)
        .filter(staff_sessions::token_hash.eq(token_hash))
        .filter(staff_sessions::expires_at.gt(now))
        .filter(staff_sessions::revoked_at.is_null())
        .filter(staff::disabled.eq(false))
        .into_boxed();
    if let Some(since) = idle_since {
        q = q.filter(staff_sessions::last_used_at.gt(since));
    }
    let found: Option<(StaffRow, NaiveDateTime)> = q
        .select((StaffRow::as_select(), staff_sessions::last_used_at))
        .first(conn)
        .optional()?;
    // Written only when a minute old: a write statement on every request would queue each
    // staff request behind the bookings for SQLite's write lock.
    if let Some((_, last)) = found.as_ref().filter(|_| touch) {
        if *last < now - chrono::Duration::minutes(1) {
            diesel::update(staff_sessions::table.find(token_hash))
                .set(staff_sessions::last_used_at.eq(now))
                .execute(conn)?;
        }
    }
    Ok(found.map(|(row, _)| row))
}

/// Opens a session.
pub fn open_session(
    conn: &mut DbConn,
    token_hash: &str,
    staff_id: i64,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(staff_sessions::table)
        .values((
            staff_sessions::token_hash.eq(token_hash),
            staff_sessions::staff_id.eq(staff_id),
            staff_sessions::created_at.eq(now),
            staff_sessions::expires_at.eq(expires_at),
            staff_sessions::last_used_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Revokes a session.
pub fn revoke_session(conn: &mut DbConn, token_hash: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(staff_sessions::table.find(token_hash))
        .set(staff_sessions::revoked_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

/// Failed sign-ins of `username` since `since`.
pub fn failures_since(conn: &mut DbConn, username: &str, since: NaiveDateTime) -> QueryResult<i64> {
    sign_in_failures::table
        .filter(sign_in_failures::username.eq(username))
        .filter(sign_in_failures::occurred_at.gt(since))
        .count()
        .get_result(conn)
}

/// The oldest failure of `username` since `since` (when the throttle lifts, counting from it).
pub fn oldest_failure_since(
    conn: &mut DbConn,
    username: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    sign_in_failures::table
        .filter(sign_in_failures::username.eq(username))
        .filter(sign_in_failures::occurred_at.gt(since))
        .select(diesel::dsl::min(sign_in_failures::occurred_at))
        .first(conn)
}

/// Takes one of `username`'s `max` sign-in attempts within the window since `since`, in the
/// caller's write transaction: counted as a failure until a success clears it, so concurrent
/// guesses can never be evaluated more than `max` times. `Err(oldest)` when none is left,
/// with the oldest failure of the window (when the throttle lifts, counting from it).
pub fn reserve_attempt(
    conn: &mut DbConn,
    username: &str,
    since: NaiveDateTime,
    now: NaiveDateTime,
    max: i64,
) -> QueryResult<Result<(), NaiveDateTime>> {
    if let DbConn::Pg(_) = conn {
        // Writers of one username queue here (SQLite's BEGIN IMMEDIATE already serialises
        // every writer): a count then an insert is atomic only when nobody else interleaves.
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<diesel::sql_types::Text, _>(username)
            .execute(conn)?;
    }
    if failures_since(conn, username, since)? >= max {
        return Ok(Err(
            oldest_failure_since(conn, username, since)?.unwrap_or(now)
        ));
    }
    record_failure(conn, username, now)?;
    Ok(Ok(()))
}

/// Records a failed sign-in.
pub fn record_failure(conn: &mut DbConn, username: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::username.eq(username),
            sign_in_failures::occurred_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Forgets the failures of `username` (after a successful sign-in).
pub fn clear_failures(conn: &mut DbConn, username: &str) -> QueryResult<()> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::username.eq(username)))
        .execute(conn)
        .map(|_| ())
}

/// Deletes the sessions expired or revoked by `now`; returns how many.
pub fn purge_sessions(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        staff_sessions::table.filter(
            staff_sessions::expires_at
                .le(now)
                .or(staff_sessions::revoked_at.le(now)),
        ),
    )
    .execute(conn)
}

/// Deletes the sign-in failures at or before `cutoff` (outside every window still counted);
/// returns how many.
pub fn purge_failures(conn: &mut DbConn, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::occurred_at.le(cutoff)))
        .execute(conn)
}

/// The accounts of an office, by username.
pub fn of_office(conn: &mut DbConn, office_id: &str) -> QueryResult<Vec<StaffRow>> {
    staff::table
        .filter(staff::office_id.eq(office_id))
        .order(staff::username)
        .select(StaffRow::as_select())
        .load(conn)
}

/// One account by id.
pub fn by_id(conn: &mut DbConn, id: i64) -> QueryResult<Option<StaffRow>> {
    staff::table
        .find(id)
        .select(StaffRow::as_select())
        .first(conn)
        .optional()
}

/// Disables an account and revokes every session it holds.
pub fn disable(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(staff::table.find(id))
        .set(staff::disabled.eq(true))
        .execute(conn)?;
    diesel::update(
        staff_sessions::table
            .filter(staff_sessions::staff_id.eq(id))
            .filter(staff_sessions::revoked_at.is_null()),
    )
    .set(staff_sessions::revoked_at.eq(now))
    .execute(conn)
    .map(|_| ())
}

/// Enables a disabled account again (its old sessions stay revoked).
pub fn enable(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(staff::table.find(id))
        .set(staff::disabled.eq(false))
        .execute(conn)
        .map(|_| ())
}

/// Sets a new password hash and revokes every session the account holds.
pub fn set_password(
    conn: &mut DbConn,
    id: i64,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(staff::table.find(id))
        .set(staff::password_hash.eq(password_hash))
        .execute(conn)?;
    diesel::update(
        staff_sessions::table
            .filter(staff_sessions::staff_id.eq(id))
            .filter(staff_sessions::revoked_at.is_null()),
    )
    .set(staff_sessions::revoked_at.eq(now))
    .execute(conn)
    .map(|_| ())
}

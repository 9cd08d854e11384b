//! Citizen sign-in over OpenID Connect: sign-ins in progress and citizen sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use crate::schema::{citizen_sessions, citizen_sign_ins};

/// A sign-in in progress: what the callback must find again.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = citizen_sign_ins)]
pub struct SignInRow {
    pub flow_hash: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Records a sign-in in progress, dropping those expired at `now`.
pub fn begin_sign_in(conn: &mut DbConn, row: &SignInRow, now: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(citizen_sign_ins::table.filter(citizen_sign_ins::expires_at.le(now)))
        .execute(conn)?;
    diesel::insert_into(citizen_sign_ins::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Takes (reads and deletes, so that it is used once) the sign-in keyed by `flow_hash`, if it
/// has not expired at `now`. Of two concurrent takes, one gets the row.
pub fn take_sign_in(
    conn: &mut DbConn,
    flow_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<SignInRow>> {
    let row: Option<SignInRow> = diesel::delete(citizen_sign_ins::table.find(flow_hash))
        .returning((
            citizen_sign_ins::flow_hash,
            citizen_sign_ins::state,
            citizen_sign_ins::nonce,
            citizen_sign_ins::pkce_verifier,
            citizen_sign_ins::created_at,
            citizen_sign_ins::expires_at,
        ))
        .get_result::<SignInRow>(conn)
        .optional()?;
    Ok(row.filter(|r| r.expires_at > now))
}

/// A citizen session.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = citizen_sessions)]
pub struct SessionRow {
    pub token_hash: String,
    pub issuer: String,
    pub subject: String,
    pub id_number: String,
    pub name: String,
    pub provider_sid: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// Opens a session, dropping sessions expired at `now`.
pub fn open_session(conn: &mut DbConn, row: &SessionRow, now: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(citizen_sessions::table.filter(citizen_sessions::expires_at.le(now)))
        .execute(conn)?;
    diesel::insert_into(citizen_sessions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The live (not expired, not revoked) session with this token hash.
pub fn by_session(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<SessionRow>> {
    citizen_sessions::table
        .filter(citizen_sessions::token_hash.eq(token_hash))
        .filter(citizen_sessions::expires_at.gt(now))
        .filter(citizen_sessions::revoked_at.is_null())
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

/// Ends a session now; whether one was open.
pub fn revoke_session(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        citizen_sessions::table
            .find(token_hash)
            .filter(citizen_sessions::revoked_at.is_null()),
    )
    .set(citizen_sessions::revoked_at.eq(now))
    .execute(conn)
    .map(|n| n > 0)
}

/// How many sessions (live or not) exist: the tests' view of "no session was created".
pub fn count_sessions(conn: &mut DbConn) -> QueryResult<i64> {
    citizen_sessions::table.count().get_result(conn)
}

//! The outbox table: enqueue in the caller's transaction; claim with a lease (on PostgreSQL
//! `FOR UPDATE SKIP LOCKED`, so several workers and instances share the queue); settle.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use super::DbConn;
use crate::schema::outbox;

/// A claimed message.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = outbox)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub payload: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
}

/// Queues a message, due at `available_at` (UTC).
pub fn enqueue(
    conn: &mut DbConn,
    kind: &str,
    payload: &str,
    available_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    enqueue_for(conn, kind, payload, None, available_at, now)
}

/// Queues a message of an office (a partner notification: the registering office), due at
/// `available_at` (UTC).
pub fn enqueue_for(
    conn: &mut DbConn,
    kind: &str,
    payload: &str,
    office_id: Option<&str>,
    available_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::kind.eq(kind),
            outbox::payload.eq(payload),
            outbox::office_id.eq(office_id),
            outbox::created_at.eq(now),
            outbox::available_at.eq(available_at),
            outbox::attempts.eq(0),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A message to queue with others in one statement (owned: a fixed-size batch is one prepared
/// statement only for `'static` row types).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub struct NewMessage {
    pub kind: &'static str,
    pub payload: String,
    pub office_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub available_at: NaiveDateTime,
    pub attempts: i32,
}

/// Queues two messages in one statement (a fixed number of rows: one prepared statement).
pub fn enqueue_two(conn: &mut DbConn, messages: [NewMessage; 2]) -> QueryResult<()> {
    let q = diesel::insert_into(outbox::table).values(messages);
    match conn {
        DbConn::Pg(c) => q.execute(c),
        DbConn::Sqlite(c) => q.execute(c),
    }
    .map(|_| ())
}

const PG_CLAIM: &str = "UPDATE outbox SET locked_until = $1 WHERE id IN (\
    SELECT id FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL \
    AND available_at <= $2 AND (locked_until IS NULL OR locked_until < $2) \
    ORDER BY available_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
    RETURNING id, kind, payload, attempts";

/// Claims up to `limit` due messages for `lease`; nobody else is offered them meanwhile.
pub fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    let until = now + lease;
    match conn {
        DbConn::Pg(c) => diesel::sql_query(PG_CLAIM)
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c),
        DbConn::Sqlite(_) => super::write_tx(conn, |c| {
            // SQLite has one writer at a time (BEGIN IMMEDIATE): select-then-update is safe.
            let due: Vec<Claimed> = outbox::table
                .filter(outbox::delivered_at.is_null())
                .filter(outbox::failed_at.is_null())
                .filter(outbox::available_at.le(now))
                .filter(
                    outbox::locked_until
                        .is_null()
                        .or(outbox::locked_until.lt(now)),
                )
                .order((outbox::available_at, outbox::id))
                .limit(limit)
                .select(Claimed::as_select())
                .load(c)?;
            let ids: Vec<i64> = due.iter().map(|m| m.id).collect();
            diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
                .set(outbox::locked_until.eq(until))
                .execute(c)?;
            Ok(due)
        }),
    }
}

/// Extends the lease on a claimed message to `now + lease`, if this worker still holds it (its
/// lease is still `held`, and nobody delivered or failed it): the new lease, or `None` when
/// another worker took the message after this one's lease ran out.
pub fn renew(
    conn: &mut DbConn,
    id: i64,
    held: NaiveDateTime,
    now: NaiveDateTime,
    lease: Duration,
) -> QueryResult<Option<NaiveDateTime>> {
    let until = now + lease;
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::locked_until.eq(held))
            .filter(outbox::delivered_at.is_null())
            .filter(outbox::failed_at.is_null()),
    )
    .set(outbox::locked_until.eq(until))
    .execute(conn)?;
    Ok((n == 1).then_some(until))
}

/// Marks a message delivered.
pub fn delivered(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::delivered_at.eq(now),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records a failed attempt: retried at `retry_at`, or set aside as failed when `give_up`.
pub fn attempt_failed(
    conn: &mut DbConn,
    id: i64,
    error: &str,
    retry_at: NaiveDateTime,
    give_up: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let failed_at = give_up.then_some(now);
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::last_error.eq(error),
            outbox::available_at.eq(retry_at),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::failed_at.eq(failed_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Messages neither delivered nor failed.
pub fn pending(conn: &mut DbConn) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::delivered_at.is_null())
        .filter(outbox::failed_at.is_null())
        .count()
        .get_result(conn)
}

/// What a delivered message keeps of its payload after the retention.
pub const REDACTED: &str = r#"{"redacted":true}"#;

/// Replaces the payload (and last error) of messages delivered before `cutoff` with
/// [`REDACTED`], once; the rows stay. Returns how many.
pub fn redact_delivered_before(
    conn: &mut DbConn,
    cutoff: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::delivered_at.lt(cutoff))
            .filter(outbox::redacted_at.is_null()),
    )
    .set((
        outbox::payload.eq(REDACTED),
        outbox::last_error.eq(None::<String>),
        outbox::redacted_at.eq(now),
    ))
    .execute(conn)
}

/// One message as shown to supervisors.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct Row {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub available_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub failed_at: Option<NaiveDateTime>,
}

/// Messages of one kind and office, newest first: all of them, or only those not delivered.
/// The office is filtered before the limit.
pub fn of_kind(
    conn: &mut DbConn,
    kind: &str,
    office_id: &str,
    undelivered_only: bool,
    limit: i64,
) -> QueryResult<Vec<Row>> {
    let mut q = outbox::table
        .filter(outbox::kind.eq(kind))
        .filter(outbox::office_id.eq(office_id))
        .filter(outbox::redacted_at.is_null())
        .select(Row::as_select())
        .order(outbox::id.desc())
        .limit(limit)
        .into_boxed();
    if undelivered_only {
        q = q.filter(outbox::delivered_at.is_null());
    }
    q.load(conn)
}

/// One message of a kind.
pub fn find_of_kind(conn: &mut DbConn, id: i64, kind: &str) -> QueryResult<Option<Row>> {
    outbox::table
        .find(id)
        .filter(outbox::kind.eq(kind))
        .select(Row::as_select())
        .first(conn)
        .optional()
}

/// Puts a message that was set aside as failed back in the queue, due now, with a fresh count
/// of attempts; false if it was not failed.
pub fn requeue_failed(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::failed_at.is_not_null())
            .filter(outbox::delivered_at.is_null()),
    )
    .set((
        outbox::failed_at.eq(None::<NaiveDateTime>),
        outbox::attempts.eq(0),
        outbox::available_at.eq(now),
        outbox::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

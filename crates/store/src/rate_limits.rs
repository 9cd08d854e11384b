//! The shared rate limiter: one GCRA row per key (`rate_limits`), so that every instance on one
//! database takes from one allowance. A decision is one statement; the refusal path reads the
//! row once more for the time to wait. Times are microseconds since the Unix epoch.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConn;
use crate::schema::rate_limits;

/// A limit: one request per `interval_us` on average, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gcra {
    pub interval_us: i64,
    pub burst: i64,
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Refused; the key's next request would be allowed this many microseconds from now.
    Refused {
        wait_us: i64,
    },
}

/// The row `RETURNING` gives back when the request was allowed (only its presence counts).
#[derive(QueryableByName)]
#[allow(dead_code)]
struct Tat {
    #[diesel(sql_type = BigInt)]
    tat: i64,
}

// The theoretical arrival time moves one interval on from max(tat, now) when the result stays
// within the burst: new tat - burst * interval <= now. A new key is always allowed (burst >= 1).
const PG_TAKE: &str = "INSERT INTO rate_limits (key, tat) VALUES ($1, $2 + $3) \
    ON CONFLICT (key) DO UPDATE SET tat = GREATEST(rate_limits.tat, $2) + $3 \
    WHERE GREATEST(rate_limits.tat, $2) + $3 - $4 <= $2 \
    RETURNING tat";
const SQLITE_TAKE: &str = "INSERT INTO rate_limits (key, tat) VALUES (?1, ?2 + ?3) \
    ON CONFLICT (key) DO UPDATE SET tat = MAX(rate_limits.tat, ?2) + ?3 \
    WHERE MAX(rate_limits.tat, ?2) + ?3 - ?4 <= ?2 \
    RETURNING tat";

fn micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

/// Takes one request of `key`'s allowance at `now`, in one statement (atomic on every engine:
/// concurrent callers of one key are serialised by the row).
pub fn take(
    conn: &mut DbConn,
    key: &str,
    now: NaiveDateTime,
    limit: Gcra,
) -> QueryResult<Decision> {
    let (now_us, interval, burst) = (
        micros(now),
        limit.interval_us,
        limit.interval_us * limit.burst.max(1),
    );
    let taken: Vec<Tat> = match conn {
        DbConn::Pg(c) => diesel::sql_query(PG_TAKE)
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(now_us)
            .bind::<BigInt, _>(interval)
            .bind::<BigInt, _>(burst)
            .load(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(SQLITE_TAKE)
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(now_us)
            .bind::<BigInt, _>(interval)
            .bind::<BigInt, _>(burst)
            .load(c)?,
    };
    if !taken.is_empty() {
        return Ok(Decision::Allowed);
    }
    // Refused: the stored tat says when one more request fits (a purge in between: at once).
    let tat: Option<i64> = rate_limits::table
        .find(key)
        .select(rate_limits::tat)
        .first(conn)
        .optional()?;
    let wait_us = tat.map_or(0, |tat| tat + interval - burst - now_us);
    Ok(Decision::Refused {
        wait_us: wait_us.max(0),
    })
}

/// Deletes the keys whose allowance is whole again at `now` (their row says nothing more).
pub fn purge(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(rate_limits::table.filter(rate_limits::tat.le(micros(now)))).execute(conn)
}

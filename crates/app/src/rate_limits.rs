//! The shared rate limit (issue 14 §2): every instance on one database takes from one allowance
//! per key. The web side keeps its per-instance limiter in front; this is the second line.

use chrono::NaiveDateTime;
use hunyin_store::rate_limits as db;

pub use hunyin_store::rate_limits::{Decision, Gcra};

use crate::{AppError, DbConn};

/// Takes one request of `key`'s allowance at `now` (one statement).
pub fn take(
    conn: &mut DbConn,
    key: &str,
    now: NaiveDateTime,
    limit: Gcra,
) -> Result<Decision, AppError> {
    Ok(db::take(conn, key, now, limit)?)
}

/// Deletes the keys whose allowance is whole again at `now`; returns how many.
pub fn purge(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize, AppError> {
    Ok(db::purge(conn, now)?)
}

/// The sweep's part: purges at `now`, logging the outcome (a failure only delays the purge).
pub fn sweep(conn: &mut DbConn, now: NaiveDateTime) {
    match purge(conn, now) {
        Ok(0) => {}
        Ok(n) => tracing::debug!(keys = n, "idle shared rate-limit keys purged"),
        Err(e) => tracing::warn!(code = e.code, "shared rate-limit purge failed"),
    }
}

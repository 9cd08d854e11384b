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

//! The sweep, one round at `now`: what is over is closed (no-shows, holds unconfirmed past their deadline), and what is no longer
//! needed is dropped — partner nonces that can no longer be accepted, staff sessions expired or
//! revoked, sign-in failures outside the throttle's window, and the personal payload of
//! messages delivered longer ago than the retention (the rows stay, for counts), and shared
//! rate-limit keys whose allowance is whole again. The no-shows are
//! one write (with their audit events), the rest one more (`hunyin_store::sweep::purge`); the
//! binary runs a round periodically and logs the counts.

use chrono::{Duration, NaiveDateTime};
use hunyin_store::{self as db, DbConn};

use crate::error::AppError;

/// How long the sweep keeps what it may drop.
#[derive(Debug, Clone, Copy)]
pub struct SweepPolicy {
    /// Sign-in failures older than this window count no more (`staff.failure_window_minutes`).
    pub failure_window_minutes: u32,
    /// Days a delivered outbox message keeps its payload (`outbox.retention_days`).
    pub outbox_retention_days: u32,
}

/// What one round did, for the log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub no_shows: usize,
    /// Holds not confirmed by both parties in time, released.
    pub holds_lapsed: usize,
    pub nonces: usize,
    pub sessions: usize,
    pub sign_in_failures: usize,
    pub outbox_redacted: usize,
    /// Shared rate-limit keys whose allowance was whole again.
    pub rate_limit_keys: usize,
    /// Divorce applications deemed withdrawn (视为撤回), by the binary's lapse round.
    pub divorces_lapsed: usize,
    /// Divorce applications whose reminder (window open, window closing) was queued.
    pub divorces_reminded: usize,
}

impl SweepReport {
    /// True when the round changed nothing.
    pub fn is_empty(&self) -> bool {
        *self == SweepReport::default()
    }
}

/// One round of the sweep at `now` (UTC).
pub fn run(
    conn: &mut DbConn,
    policy: &SweepPolicy,
    now: NaiveDateTime,
) -> Result<SweepReport, AppError> {
    let window = Duration::minutes(i64::from(policy.failure_window_minutes));
    let retention = Duration::days(i64::from(policy.outbox_retention_days));
    let no_shows = crate::booking::sweep_no_shows(conn, now)?;
    let holds_lapsed = crate::booking::sweep_lapsed(conn, now)?;
    // The deletions and the redaction: one write (on PostgreSQL one statement), so that the
    // round holds its pooled connection for as few round trips as before them.
    let p = db::sweep::purge(conn, now, now - window, now - retention)?;
    let rate_limit_keys = crate::rate_limits::purge(conn, now)?;
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    Ok(SweepReport {
        no_shows,
        holds_lapsed,
        nonces: count(p.nonces),
        sessions: count(p.sessions),
        sign_in_failures: count(p.sign_in_failures),
        outbox_redacted: count(p.outbox_redacted),
        rate_limit_keys,
        divorces_lapsed: 0,
        divorces_reminded: 0,
    })
}

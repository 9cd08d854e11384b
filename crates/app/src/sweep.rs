//! The sweep, one round at `now`: what is over is closed (no-shows), and what is no longer
//! needed is dropped — partner nonces that can no longer be accepted, staff sessions expired or
//! revoked, sign-in failures outside the throttle's window, and the personal payload of
//! messages delivered longer ago than the retention (the rows stay, for counts). The no-shows are
//! one write (with their audit events), the rest another; the binary runs a round periodically
//! and logs the counts.

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
    pub nonces: usize,
    pub sessions: usize,
    pub sign_in_failures: usize,
    pub outbox_redacted: usize,
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
    // The deletions and the redaction: one short write (few round trips, one lock on SQLite).
    db::write_tx(conn, |c| -> Result<SweepReport, AppError> {
        Ok(SweepReport {
            no_shows,
            nonces: db::partner::purge_nonces(c, now)?,
            sessions: db::staff::purge_sessions(c, now)?,
            sign_in_failures: db::staff::purge_failures(c, now - window)?,
            outbox_redacted: db::outbox::redact_delivered_before(c, now - retention, now)?,
        })
    })
}

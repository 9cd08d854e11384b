//! The sweep's deletions and redaction in one write: on PostgreSQL one statement (data-modifying
//! CTEs, one round trip while the sweep holds a pooled connection), on SQLite the same four
//! statements in one write transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::{outbox, partner, staff, DbConn};

/// How many rows each part removed or redacted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, QueryableByName)]
pub struct Purged {
    #[diesel(sql_type = BigInt)]
    pub nonces: i64,
    #[diesel(sql_type = BigInt)]
    pub sessions: i64,
    #[diesel(sql_type = BigInt)]
    pub sign_in_failures: i64,
    #[diesel(sql_type = BigInt)]
    pub outbox_redacted: i64,
}

const PG_PURGE: &str = "WITH n AS (DELETE FROM partner_nonces WHERE expires_at < $1 RETURNING 1), \
    s AS (DELETE FROM staff_sessions WHERE expires_at <= $1 OR revoked_at <= $1 RETURNING 1), \
    f AS (DELETE FROM sign_in_failures WHERE occurred_at <= $2 RETURNING 1), \
    o AS (UPDATE outbox SET payload = $4, last_error = NULL, redacted_at = $1 \
          WHERE delivered_at < $3 AND redacted_at IS NULL RETURNING 1) \
    SELECT (SELECT COUNT(*) FROM n) AS nonces, (SELECT COUNT(*) FROM s) AS sessions, \
    (SELECT COUNT(*) FROM f) AS sign_in_failures, (SELECT COUNT(*) FROM o) AS outbox_redacted";

/// At `now`: deletes expired partner nonces, sessions expired or revoked, sign-in failures at
/// or before `failures_before`, and redacts messages delivered before `delivered_before`.
pub fn purge(
    conn: &mut DbConn,
    now: NaiveDateTime,
    failures_before: NaiveDateTime,
    delivered_before: NaiveDateTime,
) -> QueryResult<Purged> {
    match conn {
        DbConn::Pg(c) => diesel::sql_query(PG_PURGE)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(failures_before)
            .bind::<Timestamp, _>(delivered_before)
            .bind::<Text, _>(outbox::REDACTED)
            .get_result(c),
        DbConn::Sqlite(_) => crate::write_tx(conn, |c| {
            let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
            Ok(Purged {
                nonces: count(partner::purge_nonces(c, now)?),
                sessions: count(staff::purge_sessions(c, now)?),
                sign_in_failures: count(staff::purge_failures(c, failures_before)?),
                outbox_redacted: count(outbox::redact_delivered_before(c, delivered_before, now)?),
            })
        }),
    }
}

//! Divorces by agreement in the statistics (issue 18): applications received on their day, and
//! closed on theirs as withdrawn, issued, refused or lapsed (视为撤回); an issue's `total` is the
//! seconds from receipt to issue, for the mean days. Grouped like the other facts: the office,
//! the province of a party whose hukou is outside the region, no basis.

use diesel::QueryResult;

use super::statistics::{key, office_filter, run, Count, GroupBy, Scope};
use super::DbConn;

/// The province (2-digit prefix) of a party of divorce application `d` outside the region.
fn other_region_of(alias: &str) -> String {
    format!(
        "(SELECT MIN(substr(p.hukou_division_code, 1, 2)) FROM divorce_parties p \
         WHERE p.application_id = {alias}.id AND substr(p.hukou_division_code, 1, CAST(? AS INTEGER)) <> ?)"
    )
}

/// Seconds from `a` to `b` (UTC timestamps).
fn seconds_between(conn: &DbConn, a: &str, b: &str) -> String {
    match conn {
        DbConn::Pg(_) => format!("CAST(EXTRACT(EPOCH FROM ({b} - {a})) AS BIGINT)"),
        DbConn::Sqlite(_) => {
            format!("CAST(ROUND((julianday({b}) - julianday({a})) * 86400) AS BIGINT)")
        }
    }
}

/// Divorce applications received (sub `received`) and closed (sub: the status) in the range.
pub fn divorces(conn: &mut DbConn, by: GroupBy, scope: &Scope<'_>) -> QueryResult<Vec<Count>> {
    let region = other_region_of("d");
    let mut out = Vec::new();
    let (k, binds) = key(
        conn,
        by,
        Some("d.office_id"),
        "d.received_at",
        Some((&region, 2)),
        None,
    );
    let sql = format!(
        "SELECT {k} AS k, CAST('received' AS TEXT) AS sub, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(0 AS BIGINT) AS total FROM divorce_applications d \
         WHERE d.received_at >= ? AND d.received_at < ?{} GROUP BY 1",
        office_filter(scope, "d.office_id")
    );
    out.extend(run(conn, &sql, scope, binds)?);
    let (k, binds) = key(
        conn,
        by,
        Some("d.office_id"),
        "d.closed_at",
        Some((&region, 2)),
        None,
    );
    let wait = seconds_between(conn, "d.received_at", "d.closed_at");
    let sql = format!(
        "SELECT {k} AS k, d.status AS sub, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'issued' THEN {wait} ELSE 0 END), 0) AS BIGINT) AS total \
         FROM divorce_applications d WHERE d.closed_at IS NOT NULL \
         AND d.closed_at >= ? AND d.closed_at < ?{} GROUP BY 1, 2",
        office_filter(scope, "d.office_id")
    );
    out.extend(run(conn, &sql, scope, binds)?);
    Ok(out)
}

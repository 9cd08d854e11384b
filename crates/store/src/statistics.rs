//! The pilot statistics, counted in the database: one grouped query per kind of fact, each a
//! range scan on an index over `[from, to)`. The grouping key and the day of a UTC timestamp
//! in Asia/Shanghai are dialect-specific, so the SQL is written once with `?` placeholders and
//! a `{day}` template, and adapted per engine here.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use super::DbConn;
use crate::schema::registration_facts;

/// One registration, as the statistics see it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = registration_facts)]
pub struct RegistrationFact {
    pub appointment_id: i64,
    pub office_id: String,
    pub registered_at: NaiveDateTime,
    pub wait_seconds: i64,
    pub basis: String,
    pub category: String,
    pub other_region: Option<String>,
}

/// Records a registration (in the registering transaction).
pub fn record_registration(conn: &mut DbConn, f: &RegistrationFact) -> QueryResult<()> {
    diesel::insert_into(registration_facts::table)
        .values(f)
        .execute(conn)
        .map(|_| ())
}

/// How the rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Office,
    Day,
    PartnerRegion,
    Basis,
    /// The daily rollup's grain: `office|region|basis` (each empty where the fact has none);
    /// never a report's grouping.
    Fine,
}

/// One grouped count: the group key, a sub-key (status, reason, category…), a count and a sum.
#[derive(Debug, Clone, QueryableByName)]
pub struct Count {
    #[diesel(sql_type = Nullable<Text>)]
    pub k: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub sub: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

/// The Shanghai day (YYYY-MM-DD) of a UTC timestamp column.
fn day(conn: &DbConn, col: &str) -> String {
    match conn {
        DbConn::Pg(_) => format!("to_char({col} + interval '8 hours', 'YYYY-MM-DD')"),
        DbConn::Sqlite(_) => format!("strftime('%Y-%m-%d', {col}, '+8 hours')"),
    }
}

/// `?` placeholders become `$1, $2, …` on PostgreSQL.
pub(crate) fn placeholders(conn: &DbConn, sql: &str) -> String {
    match conn {
        DbConn::Sqlite(_) => sql.to_owned(),
        DbConn::Pg(_) => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// Where a query reads and how it is scoped.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    /// A supervisor's office; `None`: the whole region.
    pub office: Option<&'a str>,
    pub region_prefix: &'a str,
}

/// The province (2-digit prefix) of a party of appointment `a` whose hukou is outside the region.
fn other_region_of(alias: &str) -> String {
    format!(
        "(SELECT MIN(substr(p.hukou_division_code, 1, 2)) FROM appointment_parties p \
         WHERE p.appointment_id = {alias}.id AND substr(p.hukou_division_code, 1, CAST(? AS INTEGER)) <> ?)"
    )
}

pub(crate) fn run(
    conn: &mut DbConn,
    sql: &str,
    scope: &Scope<'_>,
    key_binds: usize,
) -> QueryResult<Vec<Count>> {
    let sql = placeholders(conn, sql);
    // Binds, in order: the key's own (region prefix length and prefix, when the key is the
    // partner region), the range, then the office.
    let mut q = diesel::sql_query(sql).into_boxed::<<DbConn as Connection>::Backend>();
    if key_binds == 2 {
        q = q
            .bind::<BigInt, _>(scope.region_prefix.len() as i64)
            .bind::<Text, _>(scope.region_prefix);
    }
    q = q
        .bind::<Timestamp, _>(scope.from)
        .bind::<Timestamp, _>(scope.to);
    if let Some(office) = scope.office {
        q = q.bind::<Text, _>(office);
    }
    q.load(conn)
}

/// The key expression of a fact with columns `office`, time `ts`, partner region `region` (an
/// SQL expression, or None) and basis `basis` (or None). Returns it and how many binds it takes.
pub(crate) fn key(
    conn: &DbConn,
    by: GroupBy,
    office: Option<&str>,
    ts: &str,
    region: Option<(&str, usize)>,
    basis: Option<&str>,
) -> (String, usize) {
    let null = || ("CAST(NULL AS TEXT)".to_owned(), 0);
    match by {
        GroupBy::Office => office.map(|o| (o.to_owned(), 0)).unwrap_or_else(null),
        GroupBy::Day => (day(conn, ts), 0),
        GroupBy::PartnerRegion => region.map(|(r, b)| (r.to_owned(), b)).unwrap_or_else(null),
        GroupBy::Basis => basis.map(|b| (b.to_owned(), 0)).unwrap_or_else(null),
        GroupBy::Fine => {
            let part = |e: Option<&str>| format!("COALESCE({}, '')", e.unwrap_or("NULL"));
            let (r, binds) = region.map_or((None, 0), |(r, b)| (Some(r), b));
            (
                format!(
                    "{} || '|' || {} || '|' || {}",
                    part(office),
                    part(r),
                    part(basis)
                ),
                binds,
            )
        }
    }
}

/// One kind of fact the reports count, each with its grouped query.
pub type MetricQuery = fn(&mut DbConn, GroupBy, &Scope<'_>) -> QueryResult<Vec<Count>>;

/// Every kind of fact, by the name the rollup stores it under.
pub const METRICS: [(&str, MetricQuery); 9] = [
    ("divorces", crate::statistics_divorce::divorces),
    ("created", created),
    ("ended", ended),
    ("holds", holds),
    ("refusals", refusals),
    ("registrations", registrations),
    ("checks_made", checks_made),
    ("overrides", overrides),
    ("checks_received", checks_received),
];

pub(crate) fn office_filter(scope: &Scope<'_>, col: &str) -> String {
    match scope.office {
        Some(_) => format!(" AND {col} = ?"),
        None => String::new(),
    }
}

/// Marriage appointments booked (sub `booked`) and walk-ins (sub `walk_in`) created in the range
/// (a divorce's visits are not marriage bookings).
pub fn created(conn: &mut DbConn, by: GroupBy, scope: &Scope<'_>) -> QueryResult<Vec<Count>> {
    let region = other_region_of("a");
    let (k, binds) = key(
        conn,
        by,
        Some("a.office_id"),
        "a.created_at",
        Some((&region, 2)),
        None,
    );
    let sql = format!(
        "SELECT {k} AS k, CASE WHEN a.slot_id IS NULL THEN 'walk_in' ELSE 'booked' END AS sub, \
         CAST(COUNT(*) AS BIGINT) AS n, CAST(0 AS BIGINT) AS total FROM appointments a \
         WHERE a.service = 'marriage' AND a.created_at >= ? AND a.created_at < ?{} GROUP BY 1, 2",
        office_filter(scope, "a.office_id")
    );
    run(conn, &sql, scope, binds)
}

/// Appointments that ended cancelled or as no-shows in the range (sub: the status); marriage
/// appointments only, as in [`created`] (a divorce's visits are not marriage bookings).
pub fn ended(conn: &mut DbConn, by: GroupBy, scope: &Scope<'_>) -> QueryResult<Vec<Count>> {
    let region = other_region_of("a");
    let (k, binds) = key(
        conn,
        by,
        Some("a.office_id"),
        "a.updated_at",
        Some((&region, 2)),
        None,
    );
    let sql = format!(
        "SELECT {k} AS k, a.status AS sub, CAST(COUNT(*) AS BIGINT) AS n, CAST(0 AS BIGINT) AS total \
         FROM appointments a WHERE a.status IN ('cancelled', 'no_show') \
         AND a.service = 'marriage' AND a.updated_at >= ? AND a.updated_at < ?{} GROUP BY 1, 2",
        office_filter(scope, "a.office_id")
    );
    run(conn, &sql, scope, binds)
}

/// Holds of contact mode that ended in the range: confirmed by both parties (sub `confirmed`,
/// dated when the second confirmed) or lapsed unconfirmed (sub `lapsed`); of marriage bookings.
pub fn holds(conn: &mut DbConn, by: GroupBy, scope: &Scope<'_>) -> QueryResult<Vec<Count>> {
    let mut out = Vec::new();
    for end in ["confirmed", "lapsed"] {
        let ts = format!("h.{end}_at");
        let region = other_region_of("a");
        let (k, binds) = key(conn, by, Some("a.office_id"), &ts, Some((&region, 2)), None);
        let sql = format!(
            "SELECT {k} AS k, CAST('{end}' AS TEXT) AS sub, CAST(COUNT(*) AS BIGINT) AS n, \
             CAST(0 AS BIGINT) AS total FROM appointment_holds h \
             JOIN appointments a ON a.id = h.appointment_id \
             WHERE a.service = 'marriage' AND {ts} >= ? AND {ts} < ?{} GROUP BY 1",
            office_filter(scope, "a.office_id")
        );
        out.extend(run(conn, &sql, scope, binds)?);
    }
    Ok(out)
}

/// Refusals in the range (sub: the reason code).
pub fn refusals(conn: &mut DbConn, by: GroupBy, scope: &Scope<'_>) -> QueryResult<Vec<Count>> {
    let region = other_region_of("a");
    let (k, binds) = key(
        conn,
        by,
        Some("a.office_id"),
        "r.refused_at",
        Some((&region, 2)),
        None,
    );
    let sql = format!(
        "SELECT {k} AS k, r.reason_code AS sub, CAST(COUNT(*) AS BIGINT) AS n, CAST(0 AS BIGINT) AS total \
         FROM refusals r JOIN appointments a ON a.id = r.appointment_id \
         WHERE r.refused_at >= ? AND r.refused_at < ?{} GROUP BY 1, 2",
        office_filter(scope, "a.office_id")
    );
    run(conn, &sql, scope, binds)
}

/// Registrations in the range (sub: `category|other_region|basis`; total: the waits' sum).
pub fn registrations(conn: &mut DbConn, by: GroupBy, scope: &Scope<'_>) -> QueryResult<Vec<Count>> {
    let (k, binds) = key(
        conn,
        by,
        Some("f.office_id"),
        "f.registered_at",
        Some(("f.other_region", 0)),
        Some("f.basis"),
    );
    let sql = format!(
        "SELECT {k} AS k, f.category || '|' || COALESCE(f.other_region, '') || '|' || f.basis AS sub, \
         CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(f.wait_seconds), 0) AS BIGINT) AS total \
         FROM registration_facts f WHERE f.registered_at >= ? AND f.registered_at < ?{} \
         GROUP BY 1, f.category, f.other_region, f.basis",
        office_filter(scope, "f.office_id")
    );
    run(conn, &sql, scope, binds)
}

/// Household checks this instance asked of partners in the range (sub: `ok` or `failed`, a
/// check no partner answered).
pub fn checks_made(conn: &mut DbConn, by: GroupBy, scope: &Scope<'_>) -> QueryResult<Vec<Count>> {
    let (k, binds) = key(
        conn,
        by,
        Some("a.office_id"),
        "c.checked_at",
        Some(("substr(p.hukou_division_code, 1, 2)", 0)),
        None,
    );
    let sql = format!(
        "SELECT {k} AS k, CASE WHEN c.outcome = 'unavailable' THEN 'failed' ELSE 'ok' END AS sub, \
         CAST(COUNT(*) AS BIGINT) AS n, CAST(0 AS BIGINT) AS total FROM household_checks c \
         JOIN appointments a ON a.id = c.appointment_id \
         JOIN appointment_parties p ON p.appointment_id = c.appointment_id AND p.idx = c.party_idx \
         WHERE c.source = 'partner' AND c.checked_at >= ? AND c.checked_at < ?{} GROUP BY 1, 2",
        office_filter(scope, "a.office_id")
    );
    run(conn, &sql, scope, binds)
}

/// Supervisors' overrides of failed household checks in the range.
pub fn overrides(conn: &mut DbConn, by: GroupBy, scope: &Scope<'_>) -> QueryResult<Vec<Count>> {
    let region = other_region_of("a");
    let (k, binds) = key(
        conn,
        by,
        Some("a.office_id"),
        "c.checked_at",
        Some((&region, 2)),
        None,
    );
    let sql = format!(
        "SELECT {k} AS k, CAST(NULL AS TEXT) AS sub, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(0 AS BIGINT) AS total FROM household_checks c \
         JOIN appointments a ON a.id = c.appointment_id \
         WHERE c.source = 'supervisor_override' AND c.checked_at >= ? AND c.checked_at < ?{} \
         GROUP BY 1",
        office_filter(scope, "a.office_id")
    );
    run(conn, &sql, scope, binds)
}

/// Household verifications partners asked of this instance in the range, answered (`ok`) or
/// refused (`failed`); the partner region key is the partner's name. Only directory partners
/// count: a refused request from nobody we know has no actor.
/// Region-wide only: they concern no office.
pub fn checks_received(
    conn: &mut DbConn,
    by: GroupBy,
    scope: &Scope<'_>,
) -> QueryResult<Vec<Count>> {
    let (k, binds) = key(
        conn,
        by,
        None,
        "e.occurred_at",
        Some(("e.actor_id", 0)),
        None,
    );
    let sql = format!(
        "SELECT {k} AS k, CASE WHEN e.action = 'partner.request_refused' THEN 'failed' ELSE 'ok' END AS sub, \
         CAST(COUNT(*) AS BIGINT) AS n, CAST(0 AS BIGINT) AS total FROM audit_events e \
         WHERE e.action IN ('partner.household_verification.received', 'partner.request_refused') \
         AND e.occurred_at >= ? AND e.occurred_at < ? AND e.actor_id IS NOT NULL \
         AND (e.action <> 'partner.request_refused' OR e.details LIKE '%\"operation\":\"household_verification\"%') \
         GROUP BY 1, 2"
    );
    let region_wide = Scope {
        office: None,
        ..*scope
    };
    run(conn, &sql, &region_wide, binds)
}

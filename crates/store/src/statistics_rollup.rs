//! The statistics' daily rollup: each Shanghai day's counts at the grain of
//! [`GroupBy::Fine`], built from the facts by the same queries the reports ran over the facts,
//! so that a report over a year adds up ~365 days of rows. Triggers log the day of every fact
//! written in `statistics_dirty`, in the writing transaction (see the migration
//! `statistics_rollup`); a day is *clean* when it is built for the region and nothing is logged
//! for it since. Reports add up clean days and count the others from the facts.

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::statistics::{placeholders, Count, GroupBy, Scope, METRICS};
use super::DbConn;
use crate::schema::{statistics_built, statistics_dirty, statistics_rollup};

#[derive(Insertable)]
#[diesel(table_name = statistics_rollup)]
struct Row<'a> {
    day: &'a str,
    metric: &'a str,
    office_id: &'a str,
    region: &'a str,
    basis: &'a str,
    sub: &'a str,
    n: i64,
    total: i64,
}

#[derive(QueryableByName)]
struct Day {
    #[diesel(sql_type = Text)]
    day: String,
}

/// Days in `[from, to]` that a report must count from the facts: logged since they were built,
/// or built for another region.
pub fn unclean_days(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    region_prefix: &str,
) -> QueryResult<Vec<NaiveDate>> {
    let sql = placeholders(
        conn,
        "SELECT DISTINCT day FROM statistics_dirty WHERE day >= ? AND day <= ? \
         UNION SELECT day FROM statistics_built WHERE day >= ? AND day <= ? AND region_prefix <> ? \
         ORDER BY 1",
    );
    let (f, t) = (from.to_string(), to.to_string());
    let days: Vec<Day> = diesel::sql_query(sql)
        .bind::<Text, _>(&f)
        .bind::<Text, _>(&t)
        .bind::<Text, _>(&f)
        .bind::<Text, _>(&t)
        .bind::<Text, _>(region_prefix)
        .load(conn)?;
    Ok(days.iter().filter_map(|d| d.day.parse().ok()).collect())
}

/// Days before `before` waiting to be built (logged, or built for another region), oldest
/// first, at most `limit`.
pub fn pending_days(
    conn: &mut DbConn,
    before: NaiveDate,
    region_prefix: &str,
    limit: i64,
) -> QueryResult<Vec<NaiveDate>> {
    let sql = placeholders(
        conn,
        "SELECT day FROM (SELECT DISTINCT day FROM statistics_dirty WHERE day < ? \
         UNION SELECT day FROM statistics_built WHERE day < ? AND region_prefix <> ?) p \
         ORDER BY day LIMIT ?",
    );
    let b = before.to_string();
    let days: Vec<Day> = diesel::sql_query(sql)
        .bind::<Text, _>(&b)
        .bind::<Text, _>(&b)
        .bind::<Text, _>(region_prefix)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    Ok(days.iter().filter_map(|d| d.day.parse().ok()).collect())
}

/// Builds `day` again from the facts, for the region `region_prefix`; to be called inside a
/// write transaction. On PostgreSQL the transaction reads one snapshot (repeatable read), so a
/// fact committed while it counts keeps its log entry and the day stays dirty.
pub fn rebuild_day(conn: &mut DbConn, day: NaiveDate, region_prefix: &str) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")?;
    }
    let d = day.to_string();
    let logged: Option<i64> = statistics_dirty::table
        .filter(statistics_dirty::day.eq(&d))
        .select(diesel::dsl::max(statistics_dirty::id))
        .first(conn)?;
    diesel::delete(statistics_rollup::table.filter(statistics_rollup::day.eq(&d))).execute(conn)?;
    let (from, to) = crate::slots::day_range_utc(day, day);
    let scope = Scope {
        from,
        to,
        office: None,
        region_prefix,
    };
    for (metric, query) in METRICS {
        let counts = query(conn, GroupBy::Fine, &scope)?;
        let keys: Vec<(String, String)> = counts
            .iter()
            .map(|c| {
                (
                    c.k.clone().unwrap_or_default(),
                    c.sub.clone().unwrap_or_default(),
                )
            })
            .collect();
        let rows: Vec<Row<'_>> = counts
            .iter()
            .zip(&keys)
            .map(|(c, (k, sub))| {
                let mut parts = k.splitn(3, '|');
                Row {
                    day: &d,
                    metric,
                    office_id: parts.next().unwrap_or(""),
                    region: parts.next().unwrap_or(""),
                    basis: parts.next().unwrap_or(""),
                    sub,
                    n: c.n,
                    total: c.total,
                }
            })
            .collect();
        // One statement per row: the engine-neutral connection has no multi-row insert, and a
        // day holds a few hundred rows at most (offices × regions × sub-keys).
        for row in &rows {
            diesel::insert_into(statistics_rollup::table)
                .values(row)
                .execute(conn)?;
        }
    }
    diesel::delete(statistics_built::table.find(&d)).execute(conn)?;
    diesel::insert_into(statistics_built::table)
        .values((
            statistics_built::day.eq(&d),
            statistics_built::region_prefix.eq(region_prefix),
        ))
        .execute(conn)?;
    if let Some(last) = logged {
        diesel::delete(
            statistics_dirty::table
                .filter(statistics_dirty::day.eq(&d))
                .filter(statistics_dirty::id.le(last)),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// The counts of `metric` over the clean days of `[from, to]`, grouped by `by` as the fact
/// queries group them (`office` scoping a supervisor's report).
pub fn counts(
    conn: &mut DbConn,
    metric: &str,
    by: GroupBy,
    (from, to): (NaiveDate, NaiveDate),
    office: Option<&str>,
    region_prefix: &str,
) -> QueryResult<Vec<Count>> {
    let k = match by {
        GroupBy::Office => "NULLIF(r.office_id, '')",
        GroupBy::Day => "r.day",
        GroupBy::PartnerRegion => "NULLIF(r.region, '')",
        GroupBy::Basis => "NULLIF(r.basis, '')",
        GroupBy::Fine => "r.office_id || '|' || r.region || '|' || r.basis",
    };
    let sql = format!(
        "SELECT {k} AS k, NULLIF(r.sub, '') AS sub, CAST(SUM(r.n) AS BIGINT) AS n, \
         CAST(SUM(r.total) AS BIGINT) AS total FROM statistics_rollup r \
         JOIN statistics_built b ON b.day = r.day AND b.region_prefix = ? \
         WHERE r.metric = ? AND r.day >= ? AND r.day <= ?{} \
         AND NOT EXISTS (SELECT 1 FROM statistics_dirty d WHERE d.day = r.day) \
         GROUP BY 1, 2",
        if office.is_some() {
            " AND r.office_id = ?"
        } else {
            ""
        }
    );
    let sql = placeholders(conn, &sql);
    let (f, t) = (from.to_string(), to.to_string());
    let mut q = diesel::sql_query(sql)
        .into_boxed::<<DbConn as Connection>::Backend>()
        .bind::<Text, _>(region_prefix)
        .bind::<Text, _>(metric)
        .bind::<Text, _>(f)
        .bind::<Text, _>(t);
    if let Some(o) = office {
        q = q.bind::<Text, _>(o);
    }
    q.load(conn)
}

/// After days were built: on PostgreSQL, vacuums the log, whose deleted entries (one per fact
/// written: millions after a bulk load) would otherwise be read by every report's look for
/// unclean days until autovacuum came by. Outside any transaction. SQLite keeps no dead rows.
pub fn vacuum_log(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        // Two messages: several statements in one run as one transaction, which VACUUM refuses.
        DbConn::Pg(c) => {
            c.batch_execute("VACUUM (ANALYZE) statistics_dirty")?;
            c.batch_execute("ANALYZE statistics_rollup")
        }
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Logs every day that has facts, so that the next catch-up builds them all again (the
/// migration's backfill; for an operator after facts were corrected by hand). Returns how many
/// days it logged.
pub fn relog_all(conn: &mut DbConn) -> QueryResult<usize> {
    let day = |col: &str| match conn {
        DbConn::Pg(_) => format!("statistics_day({col})"),
        DbConn::Sqlite(_) => format!("strftime('%Y-%m-%d', {col}, '+8 hours')"),
    };
    let sql = format!(
        "INSERT INTO statistics_dirty (day) SELECT d FROM ( \
         SELECT {} AS d FROM appointments \
         UNION SELECT {} FROM appointments WHERE status IN ('cancelled', 'no_show') \
         UNION SELECT {} FROM appointment_holds WHERE confirmed_at IS NOT NULL \
         UNION SELECT {} FROM appointment_holds WHERE lapsed_at IS NOT NULL \
         UNION SELECT {} FROM divorce_applications \
         UNION SELECT {} FROM divorce_applications WHERE closed_at IS NOT NULL \
         UNION SELECT {} FROM refusals \
         UNION SELECT {} FROM registration_facts \
         UNION SELECT {} FROM household_checks WHERE source IN ('partner', 'supervisor_override') \
         UNION SELECT {} FROM audit_events \
         WHERE action IN ('partner.household_verification.received', 'partner.request_refused') \
         ) days ORDER BY d",
        day("created_at"),
        day("updated_at"),
        day("confirmed_at"),
        day("lapsed_at"),
        day("received_at"),
        day("closed_at"),
        day("refused_at"),
        day("registered_at"),
        day("checked_at"),
        day("occurred_at"),
    );
    diesel::sql_query(sql).execute(conn)
}

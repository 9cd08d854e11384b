//! Where a report's counts come from: the daily rollup for the clean days of the range, the
//! facts for the others (today, and any day written since it was built), so that the figures
//! are always those of the facts (`hunyin_store::statistics_rollup`). Also the sweep's part:
//! building the days that are over.

use chrono::NaiveDate;

use hunyin_store::statistics::{Count, GroupBy, Scope, METRICS};
use hunyin_store::statistics_rollup as rollup;
use hunyin_store::{self as db, DbConn};

use crate::error::AppError;

/// More separate runs of unclean days than this and the report counts the facts of the whole
/// range (a database whose rollup was never built: one scan beats many).
const MAX_RUNS: usize = 8;

/// How a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The rollup where it is clean, the facts elsewhere (what the service does).
    Rollup,
    /// The facts only (the reference the rollup is tested against).
    Facts,
}

/// The counting plan of one report: the range, its scope, and the days to count from facts.
pub(super) struct Source<'a> {
    by: GroupBy,
    days: (NaiveDate, NaiveDate),
    office: Option<&'a str>,
    region_prefix: &'a str,
    /// Runs of days counted from the facts; `None`: the whole range from the facts.
    live: Option<Vec<(NaiveDate, NaiveDate)>>,
}

/// Consecutive days as `(first, last)` runs.
fn runs(days: &[NaiveDate]) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &d in days {
        match out.last_mut() {
            Some((_, last)) if d.pred_opt() == Some(*last) => *last = d,
            _ => out.push((d, d)),
        }
    }
    out
}

impl<'a> Source<'a> {
    pub(super) fn plan(
        conn: &mut DbConn,
        mode: Mode,
        by: GroupBy,
        days: (NaiveDate, NaiveDate),
        office: Option<&'a str>,
        region_prefix: &'a str,
    ) -> Result<Source<'a>, AppError> {
        let live = match mode {
            Mode::Facts => None,
            Mode::Rollup => {
                let unclean = rollup::unclean_days(conn, days.0, days.1, region_prefix)?;
                Some(runs(&unclean)).filter(|r| r.len() <= MAX_RUNS)
            }
        };
        Ok(Source {
            by,
            days,
            office,
            region_prefix,
            live,
        })
    }

    fn scope(&self, first: NaiveDate, last: NaiveDate) -> Scope<'a> {
        let (from, to) = db::slots::day_range_utc(first, last);
        Scope {
            from,
            to,
            office: self.office,
            region_prefix: self.region_prefix,
        }
    }

    /// The counts of `metric` (a name of `METRICS`) over the range.
    pub(super) fn counts(&self, conn: &mut DbConn, metric: &str) -> Result<Vec<Count>, AppError> {
        let query = METRICS
            .iter()
            .find(|(name, _)| *name == metric)
            .map(|(_, q)| *q)
            .ok_or_else(|| AppError::internal(format!("unknown metric {metric}")))?;
        let Some(live) = &self.live else {
            return Ok(query(conn, self.by, &self.scope(self.days.0, self.days.1))?);
        };
        let mut out = rollup::counts(
            conn,
            metric,
            self.by,
            self.days,
            self.office,
            self.region_prefix,
        )?;
        for &(first, last) in live {
            out.extend(query(conn, self.by, &self.scope(first, last))?);
        }
        Ok(out)
    }
}

/// Builds up to `max_days` days before `today` that wait for it (oldest first), each in its own
/// write, then vacuums the log on PostgreSQL; returns how many it built. Outside a transaction. A day another instance built at the same moment fails
/// here and is left to that one.
pub fn catch_up(
    conn: &mut DbConn,
    region_prefix: &str,
    today: NaiveDate,
    max_days: i64,
) -> Result<usize, AppError> {
    let days = rollup::pending_days(conn, today, region_prefix, max_days)?;
    let mut built = 0;
    for day in days {
        match db::write_tx(conn, |c| rollup::rebuild_day(c, day, region_prefix)) {
            Ok(()) => built += 1,
            Err(e) => tracing::warn!(%day, error = %e, "statistics day not built"),
        }
    }
    if built > 0 {
        rollup::vacuum_log(conn)?;
    }
    Ok(built)
}

/// Logs every day with facts for building again (`hunyin statistics --rebuild`).
pub fn relog_all(conn: &mut DbConn) -> Result<usize, AppError> {
    Ok(rollup::relog_all(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn consecutive_days_make_one_run_across_a_month_end() {
        let days = [
            d("2026-01-30"),
            d("2026-01-31"),
            d("2026-02-01"),
            d("2026-02-03"),
        ];
        assert_eq!(
            runs(&days),
            vec![
                (d("2026-01-30"), d("2026-02-01")),
                (d("2026-02-03"), d("2026-02-03"))
            ]
        );
        assert!(runs(&[]).is_empty());
    }
}

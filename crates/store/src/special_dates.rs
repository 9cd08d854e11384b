//! An office's special dates: a date closed, or opened with its own periods, set by its
//! supervisor ([`hunyin_domain::schedule::OfficeDay`]). A row that cannot be read is skipped
//! with a warning (the date then follows the week).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConn;
use crate::schema::office_special_dates as t;
use hunyin_domain::schedule::{parse_period, OfficeDay};

fn encode(day: &OfficeDay) -> String {
    day.periods
        .iter()
        .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(",")
}

fn decode(office_id: &str, day: &str, periods: &str) -> Option<OfficeDay> {
    let parsed = (|| -> Result<OfficeDay, String> {
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|e| e.to_string())?;
        let periods = periods
            .split(',')
            .filter(|p| !p.is_empty())
            .map(parse_period)
            .collect::<Result<_, _>>()?;
        Ok(OfficeDay { date, periods })
    })();
    parsed
        .map_err(|e| tracing::warn!(office_id, day, error = %e, "unreadable special date skipped"))
        .ok()
}

/// The office's special dates from `from` to `to` (inclusive), in date order.
pub fn between(
    conn: &mut DbConn,
    office_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<OfficeDay>> {
    let rows: Vec<(String, String)> = t::table
        .filter(t::office_id.eq(office_id))
        .filter(t::day.ge(from.format("%Y-%m-%d").to_string()))
        .filter(t::day.le(to.format("%Y-%m-%d").to_string()))
        .order(t::day.asc())
        .select((t::day, t::periods))
        .load(conn)?;
    Ok(rows
        .iter()
        .filter_map(|(d, p)| decode(office_id, d, p))
        .collect())
}

/// Sets `day` for the office (replacing what that date had).
pub fn set(
    conn: &mut DbConn,
    office_id: &str,
    day: &OfficeDay,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let key = day.date.format("%Y-%m-%d").to_string();
    diesel::delete(t::table.find((office_id, &key))).execute(conn)?;
    diesel::insert_into(t::table)
        .values((
            t::office_id.eq(office_id),
            t::day.eq(&key),
            t::periods.eq(encode(day)),
            t::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Removes the office's special date `date`: whether there was one.
pub fn remove(conn: &mut DbConn, office_id: &str, date: NaiveDate) -> QueryResult<bool> {
    let key = date.format("%Y-%m-%d").to_string();
    diesel::delete(t::table.find((office_id, key)))
        .execute(conn)
        .map(|n| n > 0)
}

//! Time in the service: stored in UTC (microseconds), reasoned about in Asia/Shanghai (UTC+8,
//! no daylight saving since 1991). Pure conversions only; reading the clock is the caller's.

use chrono::{Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// China Standard Time.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// A stored UTC time as the API writes it: RFC 3339, whole seconds, `Z`.
pub fn rfc3339_utc(t: NaiveDateTime) -> String {
    format!("{}Z", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// Parses exactly `YYYY-MM-DD` (chrono alone would also take `2021-6-1`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

/// Shanghai wall-clock time to UTC.
pub fn to_utc(local: NaiveDateTime) -> NaiveDateTime {
    local - Duration::hours(8)
}

/// UTC to Shanghai wall-clock time.
pub fn to_local(utc: NaiveDateTime) -> NaiveDateTime {
    utc + Duration::hours(8)
}

/// The UTC bounds `[start, end)` of the Asia/Shanghai days `from` to `to` inclusive.
pub fn day_range_utc(from: NaiveDate, to: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let midnight = |d: NaiveDate| to_utc(d.and_time(NaiveTime::MIN));
    (midnight(from), midnight(to) + Duration::days(1))
}

/// The Shanghai date of a UTC time.
pub fn local_date(utc: NaiveDateTime) -> NaiveDate {
    to_local(utc).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shanghai_day_is_16_to_16_utc() {
        let d = NaiveDate::from_ymd_opt(2021, 6, 1).unwrap();
        let (a, b) = day_range_utc(d, d);
        assert_eq!(a.to_string(), "2021-05-31 16:00:00");
        assert_eq!(b.to_string(), "2021-06-01 16:00:00");
        assert_eq!(local_date(a), d);
    }

    #[test]
    fn only_the_strict_date_shape_parses() {
        assert!(parse_date("2021-06-01").is_some());
        assert!(parse_date("2021-6-1").is_none());
        assert!(parse_date("2021-02-30").is_none());
    }
}

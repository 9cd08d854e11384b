//! Time in the service: stored in UTC (microseconds), reasoned about in Asia/Shanghai (UTC+8,
//! no daylight saving since 1991).

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// China Standard Time.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Now, UTC, truncated to microseconds (PostgreSQL's precision; SQLite would keep more).
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t - chrono::Duration::nanoseconds(i64::from(t.and_utc().timestamp_subsec_nanos() % 1000))
}

/// A stored UTC time as the API writes it: RFC 3339, whole seconds, `Z`.
pub fn rfc3339_utc(t: NaiveDateTime) -> String {
    format!("{}Z", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// Today's date in Asia/Shanghai.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&shanghai()).date_naive()
}

/// Parses exactly `YYYY-MM-DD` (chrono alone would also take `2021-6-1`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

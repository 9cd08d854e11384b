//! Reading the clock. Times are stored in UTC (microseconds) and reasoned about in Asia/Shanghai;
//! the pure conversions live in `hunyin_domain::time`.

use chrono::{NaiveDate, NaiveDateTime, Utc};

pub use hunyin_domain::time::{parse_date, rfc3339_utc, shanghai};

/// Now, UTC, truncated to microseconds (PostgreSQL's precision; SQLite would keep more).
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t - chrono::Duration::nanoseconds(i64::from(t.and_utc().timestamp_subsec_nanos() % 1000))
}

/// Today's date in Asia/Shanghai.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&shanghai()).date_naive()
}

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

/// The clock of one running instance: the system clock, moved on by a whole offset that only a
/// test sets (to walk an application through its 30-day periods). The divorce counter and its
/// lapse round read the day from it; nothing else does, so a moved clock changes no session,
/// nonce or check age.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// Now, UTC, moved by the offset.
    pub fn now(&self) -> NaiveDateTime {
        now() + self.offset()
    }

    /// Today in Asia/Shanghai, moved by the offset.
    pub fn today(&self) -> NaiveDate {
        hunyin_domain::time::to_local(self.now()).date()
    }

    /// Moves the clock on by `by` (a test's time travel).
    pub fn advance(&self, by: chrono::Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), std::sync::atomic::Ordering::SeqCst);
    }

    fn offset(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.offset_secs.load(std::sync::atomic::Ordering::SeqCst))
    }
}

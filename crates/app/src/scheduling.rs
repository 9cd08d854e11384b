//! What slot computation needs besides an office's own rule: built once at start from the
//! `[booking]` settings by the binary.

use chrono::NaiveDate;

use hunyin_domain::calendar::HolidayCalendar;
use hunyin_domain::schedule::{BookingWindow, Exceptions, WeeklyRule};

/// Everything slot computation needs besides an office's own rule.
#[derive(Debug, Clone)]
pub struct Scheduling {
    pub default_rule: WeeklyRule,
    pub exceptions: Exceptions,
    pub window: BookingWindow,
    pub calendar: HolidayCalendar,
    pub max_range_days: u32,
}

impl Scheduling {
    /// Logs, once, each year of the window whose holiday notice is not in the file.
    pub fn warn_unpublished(&self, today: NaiveDate) {
        let last = today + chrono::Duration::days(i64::from(self.window.days_ahead));
        for year in chrono::Datelike::year(&today)..=chrono::Datelike::year(&last) {
            if !self.calendar.is_published(year) {
                tracing::warn!(
                    year,
                    "no State Council holiday notice for this year in the holiday file: only the \
                     fixed-date statutory holidays (1-1, 5-1..5-2, 10-1..10-3) close offices"
                );
            }
        }
    }
}

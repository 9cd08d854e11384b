//! What slot computation needs besides an office's own rule: built once at start from the
//! `[booking]` settings by the binary.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, NaiveDateTime};

use hunyin_domain::calendar::HolidayCalendar;
use hunyin_domain::schedule::{BookingWindow, Exceptions, OfficeDay, WeeklyRule};

/// Everything slot computation needs besides an office's own rule.
#[derive(Debug, Clone)]
pub struct Scheduling {
    pub default_rule: WeeklyRule,
    pub exceptions: Exceptions,
    pub window: BookingWindow,
    pub calendar: HolidayCalendar,
    pub max_range_days: u32,
    /// The slots of recent (office, rule, days), computed once.
    pub months: MonthCache,
}

/// One computed slot of a listing, its text ready.
#[derive(Debug)]
pub struct ComputedSlot {
    pub id: Arc<str>,
    /// Shanghai wall-clock time.
    pub start_at: NaiveDateTime,
    pub start: Arc<str>,
    pub end: Arc<str>,
    pub capacity: u32,
}

/// Entries beyond this are dropped wholesale (a bound on memory, not a policy).
const MAX_MONTHS: usize = 1_000;

type MonthKey = (String, WeeklyRule, Vec<OfficeDay>, NaiveDate, NaiveDate);

/// The slots of an office's days as its weekly rule, the exceptions and the holiday calendar
/// make them, kept per office, rule and first and last day. The rule is part of the key and is
/// read from the database with every listing, so a rule changed through any instance is a new
/// key at once; the exceptions and the calendar are fixed for the process. Only the seat counts
/// are read per request. A clone starts empty (it may be given other exceptions).
#[derive(Debug, Default)]
pub struct MonthCache {
    months: Mutex<HashMap<MonthKey, Arc<Vec<ComputedSlot>>>>,
}

impl Clone for MonthCache {
    fn clone(&self) -> Self {
        MonthCache::default()
    }
}

impl MonthCache {
    /// The computed slots of `office_id` under `rule` and its special dates `days` from
    /// `first` to `last`, computed by `compute` unless kept.
    pub fn get_or_compute(
        &self,
        office_id: &str,
        rule: &WeeklyRule,
        days: &[OfficeDay],
        first: NaiveDate,
        last: NaiveDate,
        compute: impl FnOnce() -> Vec<ComputedSlot>,
    ) -> Arc<Vec<ComputedSlot>> {
        let key = (
            office_id.to_owned(),
            rule.clone(),
            days.to_vec(),
            first,
            last,
        );
        if let Some(kept) = self.lock().get(&key) {
            return kept.clone();
        }
        let computed = Arc::new(compute());
        let mut months = self.lock();
        if months.len() >= MAX_MONTHS {
            months.clear();
        }
        months.insert(key, computed.clone());
        computed
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<MonthKey, Arc<Vec<ComputedSlot>>>> {
        self.months.lock().unwrap_or_else(|e| e.into_inner())
    }
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

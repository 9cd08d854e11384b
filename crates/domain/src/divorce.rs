//! Divorce by agreement (协议离婚): the cooling-off period and the issue window, counted over
//! the holiday calendar.
//!
//! - 民法典 第1077条: within 30 days from the day the office receives the application, either
//!   party may withdraw it (离婚冷静期); within 30 days after that period ends, both must come
//!   in person for the divorce certificate, or the application is deemed withdrawn (视为撤回).
//! - 民法典 第201条: a period counted in days starts the day after the event; the day of receipt
//!   is not counted.
//! - 民法典 第203条: when the last day of a period is a 法定休假日, the period ends on the day
//!   after that rest ends. Reading used (domain brief 8b): a 法定休假日 is a day the office is
//!   closed by law, i.e. a public holiday or a weekend day not made a working day by 调休, so the
//!   last day moves to the next working day of the holiday calendar.
//!
//! The 民法典 is in force from 2021-01-01: an application received earlier has no cooling-off.
//! A period that touches a year whose State Council holiday notice is not in the calendar is
//! refused rather than guessed: the lunar holidays of such a year are unknown, and a wrong last
//! day would wrongly end a party's right to withdraw.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

use crate::calendar::HolidayCalendar;

/// Days of the cooling-off (民法典 第1077条 第1款).
pub const COOLING_OFF_DAYS: i64 = 30;

/// Days after the cooling-off in which both may ask for the certificate (第1077条 第2款).
pub const ISSUE_WINDOW_DAYS: i64 = 30;

/// The days a registration office works, unless the calendar says otherwise.
const WORKING_WEEKDAYS: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

/// The day the 民法典 (and with it the cooling-off) came into force.
pub fn civil_code_in_force() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 1, 1).expect("a real date")
}

/// The dates of one divorce application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Periods {
    /// The day the office received the application (受理); not counted.
    pub received_on: NaiveDate,
    /// The last day of the cooling-off: a withdrawal is still accepted on it, the divorce is
    /// not yet registered.
    pub cooling_off_ends: NaiveDate,
    /// The first day the certificate may be issued.
    pub issue_from: NaiveDate,
    /// The last day the certificate may be issued; after it the application lapses.
    pub issue_until: NaiveDate,
}

/// Why the periods of a date cannot be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodsError {
    /// Received before 2021-01-01: the 民法典 and its cooling-off were not in force.
    BeforeCivilCode,
    /// The period runs through a year whose holiday notice is not in the calendar.
    CalendarUnpublished { year: i32 },
}

impl PeriodsError {
    /// The stable problem code.
    pub fn code(&self) -> &'static str {
        match self {
            PeriodsError::BeforeCivilCode => "before_civil_code",
            PeriodsError::CalendarUnpublished { .. } => "holiday_calendar_unpublished",
        }
    }
}

/// True when a registration office works on `date`: not a public holiday, and a weekday or a
/// 调休 working day.
pub fn is_working_day(calendar: &HolidayCalendar, date: NaiveDate) -> bool {
    calendar.opens(date, &WORKING_WEEKDAYS)
}

/// The last day of a period of `days` days after `from` (第201条: `from` not counted), moved
/// to the next working day when it falls on a day of rest (第203条).
pub fn period_end(calendar: &HolidayCalendar, from: NaiveDate, days: i64) -> NaiveDate {
    let mut last = from + Duration::days(days);
    while !is_working_day(calendar, last) {
        last += Duration::days(1);
    }
    last
}

/// The cooling-off and the issue window of an application received on `received_on`.
pub fn periods(
    calendar: &HolidayCalendar,
    received_on: NaiveDate,
) -> Result<Periods, PeriodsError> {
    if received_on < civil_code_in_force() {
        return Err(PeriodsError::BeforeCivilCode);
    }
    let cooling_off_ends = period_end(calendar, received_on, COOLING_OFF_DAYS);
    let issue_until = period_end(calendar, cooling_off_ends, ISSUE_WINDOW_DAYS);
    if let Some(year) =
        (received_on.year()..=issue_until.year()).find(|y| !calendar.is_published(*y))
    {
        return Err(PeriodsError::CalendarUnpublished { year });
    }
    Ok(Periods {
        received_on,
        cooling_off_ends,
        issue_from: cooling_off_ends + Duration::days(1),
        issue_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> HolidayCalendar {
        HolidayCalendar::from_toml(include_str!("../../../data/holidays-cn.toml")).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn of(received: &str) -> Periods {
        periods(&shipped(), d(received)).unwrap()
    }

    #[test]
    fn the_day_of_receipt_is_not_counted() {
        // 2025-03-03 + 30 = 2025-04-02, a Wednesday.
        let p = of("2025-03-03");
        assert_eq!(p.received_on, d("2025-03-03"));
        assert_eq!(p.cooling_off_ends, d("2025-04-02"));
        assert_eq!(p.issue_from, d("2025-04-03"));
    }

    #[test]
    fn a_cooling_off_ending_on_national_day_ends_on_the_next_working_day() {
        // 2025-10-01..10-08 国庆 + 中秋: the period ends Thursday 10-09.
        let p = of("2025-09-01");
        assert_eq!(p.cooling_off_ends, d("2025-10-09"));
        assert_eq!(p.issue_from, d("2025-10-10"));
        // 10-09 + 30 = Saturday 11-08: the window ends Monday 11-10.
        assert_eq!(p.issue_until, d("2025-11-10"));
    }

    #[test]
    fn a_period_ending_on_an_adjusted_working_saturday_ends_that_day() {
        // 2025-10-11 is a 调休 Saturday: a working day.
        let p = of("2025-09-11");
        assert_eq!(p.cooling_off_ends, d("2025-10-11"));
        assert_eq!(p.issue_from, d("2025-10-12"));
        assert_eq!(p.issue_until, d("2025-11-10"), "11-10 is a Monday");
    }

    #[test]
    fn a_cooling_off_ending_in_spring_festival_ends_after_it() {
        // 2024-12-30 + 30 = 2025-01-29, 春节 (01-28..02-04): it ends Wednesday 02-05.
        let p = of("2024-12-30");
        assert_eq!(p.cooling_off_ends, d("2025-02-05"));
        assert_eq!(p.issue_until, d("2025-03-07"), "a Friday");
    }

    #[test]
    fn a_period_across_a_month_end_counts_the_short_february() {
        // 2025-01-31 + 30 = Sunday 2025-03-02 -> Monday 03-03.
        let p = of("2025-01-31");
        assert_eq!(p.cooling_off_ends, d("2025-03-03"));
        assert_eq!(p.issue_until, d("2025-04-02"));
    }

    #[test]
    fn a_period_across_a_year_end_skips_new_year_to_the_adjusted_sunday() {
        // 2025-12-02 + 30 = 2026-01-01 元旦 (01-01..01-03); Sunday 01-04 is a 调休 working day.
        let p = of("2025-12-02");
        assert_eq!(p.cooling_off_ends, d("2026-01-04"));
        assert_eq!(p.issue_from, d("2026-01-05"));
        assert_eq!(p.issue_until, d("2026-02-03"), "a Tuesday");
    }

    #[test]
    fn an_issue_window_ending_on_labour_day_ends_after_it() {
        // cooling-off ends 2025-04-02; + 30 = 05-02 (劳动节 05-01..05-05) -> Tuesday 05-06.
        assert_eq!(of("2025-03-03").issue_until, d("2025-05-06"));
    }

    #[test]
    fn a_period_into_an_unpublished_year_is_refused_not_guessed() {
        // 2026-12-01: the issue window runs into 2027, whose notice is not in the file.
        assert_eq!(
            periods(&shipped(), d("2026-12-01")),
            Err(PeriodsError::CalendarUnpublished { year: 2027 })
        );
        assert_eq!(
            periods(&shipped(), d("2031-03-03")),
            Err(PeriodsError::CalendarUnpublished { year: 2031 })
        );
    }

    #[test]
    fn an_application_before_the_civil_code_has_no_cooling_off() {
        assert_eq!(
            periods(&shipped(), d("2020-12-31")),
            Err(PeriodsError::BeforeCivilCode)
        );
        assert!(periods(&shipped(), d("2021-01-01")).is_ok());
    }
}

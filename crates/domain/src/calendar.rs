//! Working days in China: public holidays and adjusted working days (调休) from the State
//! Council's yearly notices (`data/holidays-cn.toml`), with the statutory fixed-date holidays
//! (全国年节及纪念日放假办法) as the fallback for a year not yet published.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// What kind of day a date is for an office that opens on working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A public holiday (放假): closed.
    Holiday,
    /// A weekend day made a working day (调休上班): open as on a weekday.
    AdjustedWorkday,
    /// An ordinary day: its weekday decides.
    Ordinary,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearEntry {
    year: i32,
    notice: String,
    off: Vec<String>,
    work: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    year: Vec<YearEntry>,
}

/// The published calendar.
#[derive(Debug, Clone, Default)]
pub struct HolidayCalendar {
    off: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
    /// Year -> the notice it comes from.
    notices: BTreeMap<i32, String>,
}

fn expand(item: &str) -> Result<Vec<NaiveDate>, String> {
    let parse = |s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|e| format!("{s:?}: {e}"))
    };
    match item.split_once("..") {
        None => Ok(vec![parse(item)?]),
        Some((a, b)) => {
            let (a, b) = (parse(a)?, parse(b)?);
            if b < a || (b - a).num_days() > 31 {
                return Err(format!("{item:?}: not a range of at most a month"));
            }
            Ok(a.iter_days().take_while(|d| *d <= b).collect())
        }
    }
}

impl HolidayCalendar {
    /// Parses and checks the TOML file: real dates, no date both off and work, adjusted
    /// working days fall on weekends, holidays within a day of their year.
    pub fn from_toml(text: &str) -> Result<HolidayCalendar, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut cal = HolidayCalendar::default();
        for y in file.year {
            if cal.notices.insert(y.year, y.notice.clone()).is_some() {
                return Err(format!("year {} listed twice", y.year));
            }
            for item in &y.off {
                for d in expand(item)? {
                    if (d.year() - y.year).abs() > 1 {
                        return Err(format!("{d} is not near {}", y.year));
                    }
                    cal.off.insert(d);
                }
            }
            for item in &y.work {
                for d in expand(item)? {
                    if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                        return Err(format!("adjusted working day {d} is not a weekend day"));
                    }
                    cal.work.insert(d);
                }
            }
        }
        if let Some(d) = cal.off.intersection(&cal.work).next() {
            return Err(format!("{d} is both a holiday and a working day"));
        }
        Ok(cal)
    }

    /// True when the State Council notice for `year` is in the file.
    pub fn is_published(&self, year: i32) -> bool {
        self.notices.contains_key(&year)
    }

    /// The notice a year comes from.
    pub fn notice(&self, year: i32) -> Option<&str> {
        self.notices.get(&year).map(String::as_str)
    }

    /// The kind of `date`. For an unpublished year only the fixed-date statutory holidays are
    /// known (元旦 1-1, 劳动节 5-1..5-2, 国庆节 10-1..10-3).
    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        if self.off.contains(&date) {
            return DayKind::Holiday;
        }
        if self.work.contains(&date) {
            return DayKind::AdjustedWorkday;
        }
        if !self.is_published(date.year()) {
            let fixed = matches!(
                (date.month(), date.day()),
                (1, 1) | (5, 1) | (5, 2) | (10, 1) | (10, 2) | (10, 3)
            );
            if fixed {
                return DayKind::Holiday;
            }
        }
        DayKind::Ordinary
    }

    /// True when an office open on `weekdays` opens on `date`: never on a holiday, always on
    /// an adjusted working day, otherwise by weekday.
    pub fn opens(&self, date: NaiveDate, weekdays: &[Weekday]) -> bool {
        match self.day_kind(date) {
            DayKind::Holiday => false,
            DayKind::AdjustedWorkday => true,
            DayKind::Ordinary => weekdays.contains(&date.weekday()),
        }
    }
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

    const WEEKDAYS: [Weekday; 5] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];

    #[test]
    fn every_year_from_2021_is_published() {
        let cal = shipped();
        for y in 2021..=2026 {
            assert!(cal.is_published(y), "{y}");
        }
    }

    #[test]
    fn spring_festival_2021_is_closed_and_its_sundays_open() {
        let cal = shipped();
        assert!(
            !cal.opens(d("2021-02-11"), &WEEKDAYS),
            "除夕 holiday, a Thursday"
        );
        assert!(cal.opens(d("2021-02-07"), &WEEKDAYS), "调休 Sunday");
        assert!(cal.opens(d("2021-02-20"), &WEEKDAYS), "调休 Saturday");
        assert!(!cal.opens(d("2021-02-21"), &WEEKDAYS), "an ordinary Sunday");
    }

    #[test]
    fn new_year_2023_began_on_2022_12_31() {
        assert_eq!(shipped().day_kind(d("2022-12-31")), DayKind::Holiday);
    }

    #[test]
    fn national_day_2025_runs_to_10_08() {
        let cal = shipped();
        assert_eq!(cal.day_kind(d("2025-10-08")), DayKind::Holiday);
        assert_eq!(cal.day_kind(d("2025-10-11")), DayKind::AdjustedWorkday);
    }

    #[test]
    fn unpublished_year_falls_back_to_fixed_statutory_holidays() {
        let cal = shipped();
        assert!(!cal.is_published(2031));
        assert_eq!(cal.day_kind(d("2031-10-02")), DayKind::Holiday);
        assert_eq!(cal.day_kind(d("2031-05-02")), DayKind::Holiday);
        assert_eq!(cal.day_kind(d("2031-10-08")), DayKind::Ordinary);
    }

    #[test]
    fn a_weekday_marked_as_adjusted_workday_is_refused() {
        let text = "[[year]]\nyear = 2021\nnotice = \"x\"\noff = []\nwork = [\"2021-02-08\"]\n";
        assert!(HolidayCalendar::from_toml(text)
            .unwrap_err()
            .contains("not a weekend"));
    }

    #[test]
    fn a_date_both_off_and_work_is_refused() {
        let text = "[[year]]\nyear = 2021\nnotice = \"x\"\noff = [\"2021-02-07\"]\nwork = [\"2021-02-07\"]\n";
        assert!(HolidayCalendar::from_toml(text)
            .unwrap_err()
            .contains("both"));
    }
}

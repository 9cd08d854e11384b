//! `[booking]` into the scheduling rules: the default weekly rule, special openings and
//! closures, the booking window and the holiday calendar.

use chrono::NaiveDate;
use hunyin_app::scheduling::Scheduling;
use hunyin_domain::calendar::HolidayCalendar;
use hunyin_domain::schedule::{parse_period, parse_weekday, BookingWindow, Exceptions, WeeklyRule};

use crate::configuration::BookingSettings;

const DEFAULT_HOLIDAYS: &str = include_str!("../../data/holidays-cn.toml");

fn date(key: &str, s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("key `{key}`: {s:?} is not YYYY-MM-DD"))
}

/// Parses `[booking]`; every error names its key.
pub fn scheduling(b: &BookingSettings) -> Result<Scheduling, String> {
    let weekdays = b
        .weekdays
        .iter()
        .map(|w| parse_weekday(w).map_err(|e| format!("key `booking.weekdays`: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let periods = b
        .periods
        .iter()
        .map(|p| parse_period(p).map_err(|e| format!("key `booking.periods`: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let default_rule = WeeklyRule {
        weekdays,
        periods,
        slot_minutes: b.slot_minutes,
        capacity: b.capacity,
    };
    default_rule
        .validate()
        .map_err(|e| format!("key `booking`: {e}"))?;
    let yearly_openings = b
        .yearly_openings
        .iter()
        .map(|md| {
            NaiveDate::parse_from_str(&format!("2024-{md}"), "%Y-%m-%d")
                .map(|d| (chrono::Datelike::month(&d), chrono::Datelike::day(&d)))
                .map_err(|_| format!("key `booking.yearly_openings`: {md:?} is not MM-DD"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let open_dates = b
        .open_dates
        .iter()
        .map(|s| date("booking.open_dates", s))
        .collect::<Result<Vec<_>, _>>()?;
    let closed_dates = b
        .closed_dates
        .iter()
        .map(|s| date("booking.closed_dates", s))
        .collect::<Result<Vec<_>, _>>()?;
    if !(1..=366).contains(&b.window_days) {
        return Err("key `booking.window_days`: must be 1-366".into());
    }
    if !(1..=366).contains(&b.max_range_days) {
        return Err("key `booking.max_range_days`: must be 1-366".into());
    }
    let text = if b.holidays_file.trim().is_empty() {
        DEFAULT_HOLIDAYS.to_owned()
    } else {
        std::fs::read_to_string(&b.holidays_file)
            .map_err(|e| format!("key `booking.holidays_file`: {e}"))?
    };
    let calendar = HolidayCalendar::from_toml(&text)
        .map_err(|e| format!("key `booking.holidays_file`: {e}"))?;
    Ok(Scheduling {
        default_rule,
        exceptions: Exceptions {
            yearly_openings,
            open_dates,
            closed_dates,
        },
        window: BookingWindow {
            days_ahead: b.window_days,
            min_notice_minutes: b.min_notice_minutes,
        },
        calendar,
        max_range_days: b.max_range_days,
        months: Default::default(),
    })
}

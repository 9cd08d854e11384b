//! Opening hours and slots of an office: a weekly rule, the holiday calendar, closures and
//! special openings (5-20, 2-14, 七夕 …), and the booking window. All times are Asia/Shanghai
//! wall-clock times; storage converts to UTC.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::calendar::HolidayCalendar;

/// An office's weekly opening rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WeeklyRule {
    /// Days the office opens in an ordinary week.
    pub weekdays: Vec<Weekday>,
    /// Opening periods of a day, e.g. 09:00-12:00 and 13:30-17:00.
    pub periods: Vec<(NaiveTime, NaiveTime)>,
    /// Length of one slot.
    pub slot_minutes: u32,
    /// Couples per slot.
    pub capacity: u32,
}

/// Days that differ from the rule, for every office of the instance (from config).
#[derive(Debug, Clone, Default)]
pub struct Exceptions {
    /// Opened whatever the weekday or holiday, every year (`MM-DD`: 05-20, 02-14).
    pub yearly_openings: Vec<(u32, u32)>,
    /// Opened on these dates (七夕 and other one-off openings).
    pub open_dates: Vec<NaiveDate>,
    /// Closed on these dates.
    pub closed_dates: Vec<NaiveDate>,
}

/// One slot of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotTime {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub capacity: u32,
}

/// Parses `HH:MM-HH:MM`.
pub fn parse_period(s: &str) -> Result<(NaiveTime, NaiveTime), String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("{s:?}: expected HH:MM-HH:MM"))?;
    let t =
        |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|e| format!("{x:?}: {e}"));
    let (a, b) = (t(a)?, t(b)?);
    if b <= a {
        return Err(format!("{s:?}: ends before it starts"));
    }
    Ok((a, b))
}

/// Parses a weekday name (`mon` … `sun`).
pub fn parse_weekday(s: &str) -> Result<Weekday, String> {
    s.parse::<Weekday>()
        .map_err(|_| format!("{s:?}: not a weekday"))
}

impl WeeklyRule {
    /// Checks the rule: some day, some period, periods in order without overlap, a slot of
    /// 5-240 minutes that fits, capacity 1-1000.
    pub fn validate(&self) -> Result<(), String> {
        if self.periods.is_empty() {
            return Err("no opening period".into());
        }
        if !(5..=240).contains(&self.slot_minutes) {
            return Err("slot_minutes must be 5-240".into());
        }
        if !(1..=1000).contains(&self.capacity) {
            return Err("capacity must be 1-1000".into());
        }
        for w in self.periods.windows(2) {
            if w[1].0 < w[0].1 {
                return Err("opening periods overlap or are out of order".into());
            }
        }
        Ok(())
    }

    fn slots_in_periods(&self, date: NaiveDate) -> Vec<SlotTime> {
        let len = Duration::minutes(i64::from(self.slot_minutes));
        let mut out = Vec::new();
        for &(open, close) in &self.periods {
            let mut start = date.and_time(open);
            let end_of_period = date.and_time(close);
            while start + len <= end_of_period {
                out.push(SlotTime {
                    start,
                    end: start + len,
                    capacity: self.capacity,
                });
                start += len;
            }
        }
        out
    }
}

/// True when the office opens on `date`: a closure wins; then a special opening; then the
/// calendar (holidays closed, 调休 working days open) and the weekly rule.
pub fn opens_on(
    rule: &WeeklyRule,
    ex: &Exceptions,
    cal: &HolidayCalendar,
    date: NaiveDate,
) -> bool {
    if ex.closed_dates.contains(&date) {
        return false;
    }
    if ex.open_dates.contains(&date) || ex.yearly_openings.contains(&(date.month(), date.day())) {
        return true;
    }
    cal.opens(date, &rule.weekdays)
}

/// The slots of `date` (empty when closed).
pub fn slots_on(
    rule: &WeeklyRule,
    ex: &Exceptions,
    cal: &HolidayCalendar,
    date: NaiveDate,
) -> Vec<SlotTime> {
    if opens_on(rule, ex, cal, date) {
        rule.slots_in_periods(date)
    } else {
        Vec::new()
    }
}

/// A date of one office that differs from its week (the supervisor's special dates): closed
/// when `periods` is empty, else open with these periods (the rule's slot length and seats).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OfficeDay {
    pub date: NaiveDate,
    pub periods: Vec<(NaiveTime, NaiveTime)>,
}

impl OfficeDay {
    /// Checks an opening's periods as the weekly rule's are checked (in order, no overlap).
    pub fn validate(&self, rule: &WeeklyRule) -> Result<(), String> {
        if self.periods.is_empty() {
            return Ok(());
        }
        WeeklyRule {
            periods: self.periods.clone(),
            ..rule.clone()
        }
        .validate()
    }
}

/// True when the office opens on `date`: its own special date first, then [`opens_on`].
pub fn office_opens_on(
    rule: &WeeklyRule,
    ex: &Exceptions,
    cal: &HolidayCalendar,
    days: &[OfficeDay],
    date: NaiveDate,
) -> bool {
    match days.iter().find(|d| d.date == date) {
        Some(d) => !d.periods.is_empty(),
        None => opens_on(rule, ex, cal, date),
    }
}

/// The slots of `date` for one office: its own special date first (closed, or its periods
/// cut into the rule's slots), then [`slots_on`].
pub fn office_slots_on(
    rule: &WeeklyRule,
    ex: &Exceptions,
    cal: &HolidayCalendar,
    days: &[OfficeDay],
    date: NaiveDate,
) -> Vec<SlotTime> {
    match days.iter().find(|d| d.date == date) {
        Some(d) => WeeklyRule {
            periods: d.periods.clone(),
            ..rule.clone()
        }
        .slots_in_periods(date),
        None => slots_on(rule, ex, cal, date),
    }
}

/// When booking is allowed: from `days_ahead` days before the slot's day until `min_notice`
/// minutes before it starts.
#[derive(Debug, Clone, Copy)]
pub struct BookingWindow {
    pub days_ahead: u32,
    pub min_notice_minutes: u32,
}

impl BookingWindow {
    /// True when a slot starting at `start` may be booked at `now` (both Shanghai times).
    pub fn allows(&self, now: NaiveDateTime, start: NaiveDateTime) -> bool {
        let opens = start.date() - Duration::days(i64::from(self.days_ahead));
        let closes = start - Duration::minutes(i64::from(self.min_notice_minutes));
        now.date() >= opens && now <= closes
    }

    /// The last day that may be booked at `now`.
    pub fn last_day(&self, now: NaiveDateTime) -> NaiveDate {
        now.date() + Duration::days(i64::from(self.days_ahead))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn rule() -> WeeklyRule {
        WeeklyRule {
            weekdays: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            periods: vec![
                parse_period("09:00-12:00").unwrap(),
                parse_period("13:30-17:00").unwrap(),
            ],
            slot_minutes: 30,
            capacity: 10,
        }
    }

    fn cal() -> HolidayCalendar {
        HolidayCalendar::from_toml(include_str!("../../../data/holidays-cn.toml")).unwrap()
    }

    #[test]
    fn an_ordinary_weekday_has_thirteen_half_hour_slots() {
        let slots = slots_on(&rule(), &Exceptions::default(), &cal(), d("2026-12-01"));
        assert_eq!(slots.len(), 6 + 7);
        assert_eq!(slots[0].start, t("2026-12-01 09:00"));
        assert_eq!(slots[6].start, t("2026-12-01 13:30"));
        assert_eq!(slots[12].end, t("2026-12-01 17:00"));
    }

    #[test]
    fn holidays_close_and_adjusted_saturdays_open() {
        let ex = Exceptions::default();
        assert!(
            slots_on(&rule(), &ex, &cal(), d("2026-10-05")).is_empty(),
            "国庆"
        );
        assert!(
            !slots_on(&rule(), &ex, &cal(), d("2026-10-10")).is_empty(),
            "调休 Saturday"
        );
        assert!(
            slots_on(&rule(), &ex, &cal(), d("2026-12-05")).is_empty(),
            "a Saturday"
        );
    }

    #[test]
    fn five_twenty_on_a_saturday_opens_when_configured() {
        let ex = Exceptions {
            yearly_openings: vec![(5, 20)],
            ..Exceptions::default()
        };
        // 2023-05-20 was a Saturday: Jiangsu registered 11,156 marriages that day.
        assert!(!slots_on(&rule(), &ex, &cal(), d("2023-05-20")).is_empty());
        assert!(slots_on(&rule(), &Exceptions::default(), &cal(), d("2023-05-20")).is_empty());
    }

    #[test]
    fn a_closure_wins_over_everything() {
        let ex = Exceptions {
            yearly_openings: vec![(5, 20)],
            closed_dates: vec![d("2023-05-20")],
            ..Exceptions::default()
        };
        assert!(slots_on(&rule(), &ex, &cal(), d("2023-05-20")).is_empty());
    }

    #[test]
    fn a_slot_that_does_not_fit_the_period_is_dropped() {
        let mut r = rule();
        r.slot_minutes = 40;
        let slots = slots_on(&r, &Exceptions::default(), &cal(), d("2026-12-01"));
        // 09:00-12:00 holds 4 (until 11:40); 13:30-17:00 holds 5 (until 16:50).
        assert_eq!(slots.len(), 9);
    }

    #[test]
    fn booking_window_opens_n_days_ahead_and_closes_before_the_slot() {
        let w = BookingWindow {
            days_ahead: 30,
            min_notice_minutes: 120,
        };
        let slot = t("2026-12-31 09:00");
        assert!(!w.allows(t("2026-11-30 23:59"), slot), "31 days ahead");
        assert!(w.allows(t("2026-12-01 00:00"), slot), "30 days ahead");
        assert!(w.allows(t("2026-12-31 07:00"), slot), "exactly the notice");
        assert!(!w.allows(t("2026-12-31 07:01"), slot), "too late");
    }

    #[test]
    fn rule_validation() {
        let mut r = rule();
        assert!(r.validate().is_ok());
        r.periods.reverse();
        assert!(r.validate().is_err());
        assert!(parse_period("12:00-09:00").is_err());
        assert!(parse_period("9-12").is_err());
        assert_eq!(parse_weekday("sat").unwrap(), Weekday::Sat);
    }

    #[test]
    fn an_office_day_closes_or_opens_with_its_own_periods() {
        let cal = HolidayCalendar::default();
        let ex = Exceptions::default();
        let r = rule();
        let open_day = d("2026-12-01")
            .iter_days()
            .take(7)
            .find(|day| !slots_on(&r, &ex, &cal, *day).is_empty())
            .unwrap();
        let closed = OfficeDay {
            date: open_day,
            periods: vec![],
        };
        assert!(office_slots_on(&r, &ex, &cal, std::slice::from_ref(&closed), open_day).is_empty());
        assert!(!office_opens_on(&r, &ex, &cal, &[closed], open_day));
        let p = parse_period("10:00-11:00").unwrap();
        let extra = OfficeDay {
            date: open_day,
            periods: vec![p],
        };
        let slots = office_slots_on(&r, &ex, &cal, std::slice::from_ref(&extra), open_day);
        assert_eq!(slots.first().unwrap().start, open_day.and_time(p.0));
        assert!(slots.iter().all(|s| s.end <= open_day.and_time(p.1)));
        assert!(office_opens_on(&r, &ex, &cal, &[extra], open_day));
        // Another date follows the week.
        let next = open_day.succ_opt().unwrap();
        assert_eq!(
            office_slots_on(&r, &ex, &cal, &[], next),
            slots_on(&r, &ex, &cal, next)
        );
        let overlapping = OfficeDay {
            date: open_day,
            periods: vec![p, parse_period("10:30-12:00").unwrap()],
        };
        assert!(overlapping.validate(&r).is_err());
    }
}

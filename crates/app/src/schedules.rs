//! A supervisor's weekly opening rule of their office, and its special dates (a date closed,
//! or opened with its own periods).

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use hunyin_domain::schedule::{parse_period, parse_weekday, OfficeDay, WeeklyRule};
use hunyin_domain::staff::Role;
use hunyin_store::{self as db, slots, special_dates as special, DbConn};

use crate::audit::{self, Details, Event};
use crate::auth::Staff;
use crate::error::{AppError, InvalidParam};

/// The weekly rule as the API shows and takes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    pub weekdays: Vec<String>,
    pub periods: Vec<String>,
    pub slot_minutes: u32,
    pub capacity: u32,
}

/// The rule as shown.
pub fn to_body(r: &WeeklyRule) -> RuleBody {
    RuleBody {
        weekdays: r
            .weekdays
            .iter()
            .map(|d| d.to_string().to_lowercase())
            .collect(),
        periods: r
            .periods
            .iter()
            .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
            .collect(),
        slot_minutes: r.slot_minutes,
        capacity: r.capacity,
    }
}

/// The rule as taken: every field checked, then the rule as a whole.
pub fn parse(b: &RuleBody) -> Result<WeeklyRule, AppError> {
    let mut bad = Vec::new();
    let weekdays: Vec<_> = b
        .weekdays
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            parse_weekday(w)
                .map_err(|e| {
                    bad.push(InvalidParam::new(
                        format!("weekdays[{i}]"),
                        "invalid_weekday",
                        e,
                    ))
                })
                .ok()
        })
        .collect();
    let periods: Vec<_> = b
        .periods
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            parse_period(p)
                .map_err(|e| {
                    bad.push(InvalidParam::new(
                        format!("periods[{i}]"),
                        "invalid_period",
                        e,
                    ))
                })
                .ok()
        })
        .collect();
    if !bad.is_empty() {
        return Err(AppError::invalid(bad));
    }
    let rule = WeeklyRule {
        weekdays,
        periods,
        slot_minutes: b.slot_minutes,
        capacity: b.capacity,
    };
    rule.validate()
        .map_err(|e| AppError::invalid(vec![InvalidParam::new("body", "invalid_schedule", e)]))?;
    Ok(rule)
}

/// The office's weekly rule (its own, or the default): staff of that office.
pub fn get(
    conn: &mut DbConn,
    staff: &Staff,
    default_rule: &WeeklyRule,
    office_id: &str,
) -> Result<RuleBody, AppError> {
    staff.require_office(office_id)?;
    Ok(to_body(&slots::rule_for(conn, office_id, default_rule)?))
}

/// The office's supervisor sets the weekly rule. Slots already booked keep their seats; new
/// slots follow the rule.
pub fn put(
    conn: &mut DbConn,
    staff: &Staff,
    office_id: &str,
    body: &RuleBody,
) -> Result<RuleBody, AppError> {
    staff.require_role(&[Role::Supervisor])?;
    staff.require_office(office_id)?;
    let rule = parse(body)?;
    let shown = to_body(&rule);
    db::write_tx(conn, |c| -> Result<(), AppError> {
        slots::set_rule(c, office_id, &rule, crate::clock::now())?;
        let actor = staff.id.to_string();
        let details = Details::none()
            .with("weekdays", &shown.weekdays)
            .with("periods", &shown.periods)
            .with("slot_minutes", shown.slot_minutes)
            .with("capacity", shown.capacity);
        let subject = Some(("office", office_id));
        audit::record(
            c,
            Event::by_staff(staff, &actor, "schedule.updated", subject, details),
        )?;
        Ok(())
    })?;
    Ok(shown)
}

/// A special date of the office as shown: closed, or open with its periods.
#[derive(Debug, Clone, Serialize)]
pub struct SpecialDateView {
    pub date: String,
    pub closed: bool,
    pub periods: Vec<String>,
}

/// A special date as asked for: the date as typed, closed or open, the periods as typed.
#[derive(Debug, Clone, Default)]
pub struct SpecialDateBody {
    pub date: String,
    pub closed: bool,
    pub periods: Vec<String>,
}

/// How far ahead special dates are listed and may be set: a year.
const SPECIAL_DAYS_AHEAD: i64 = 366;

fn view(d: &OfficeDay) -> SpecialDateView {
    SpecialDateView {
        date: d.date.to_string(),
        closed: d.periods.is_empty(),
        periods: d
            .periods
            .iter()
            .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
            .collect(),
    }
}

/// The office's special dates from `today` on (a year ahead): staff of that office.
pub fn special_dates(
    conn: &mut DbConn,
    staff: &Staff,
    office_id: &str,
    today: NaiveDate,
) -> Result<Vec<SpecialDateView>, AppError> {
    staff.require_office(office_id)?;
    let last = today + Duration::days(SPECIAL_DAYS_AHEAD);
    Ok(special::between(conn, office_id, today, last)?
        .iter()
        .map(view)
        .collect())
}

/// The date of a body: a date `YYYY-MM-DD`, from `today` to a year ahead.
fn date_of(raw: &str, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let bad = |code: &str, reason: &str| {
        AppError::invalid(vec![InvalidParam::new("date", code, reason.to_owned())])
    };
    let date = crate::clock::parse_date(raw.trim())
        .ok_or_else(|| bad("invalid_date", "a date YYYY-MM-DD"))?;
    if date < today {
        return Err(bad("date_in_past", "the date has passed"));
    }
    if date > today + Duration::days(SPECIAL_DAYS_AHEAD) {
        return Err(bad("date_too_far", "at most a year ahead"));
    }
    Ok(date)
}

/// The office's supervisor closes a date, or opens it with its own periods (replacing what
/// that date had). Seats already booked on it stay booked; its new slots follow the date.
pub fn set_special_date(
    conn: &mut DbConn,
    staff: &Staff,
    default_rule: &WeeklyRule,
    office_id: &str,
    body: &SpecialDateBody,
    today: NaiveDate,
) -> Result<SpecialDateView, AppError> {
    staff.require_role(&[Role::Supervisor])?;
    staff.require_office(office_id)?;
    let mut bad = Vec::new();
    let date = date_of(&body.date, today)
        .map_err(|e| bad.extend(e.invalid_params.clone()))
        .ok();
    let mut periods = Vec::new();
    if !body.closed {
        if body.periods.is_empty() {
            bad.push(InvalidParam::new(
                "periods",
                "no_opening_period",
                "an opening needs its hours",
            ));
        }
        for (i, p) in body.periods.iter().enumerate() {
            match parse_period(p) {
                Ok(p) => periods.push(p),
                Err(e) => bad.push(InvalidParam::new(
                    format!("periods[{i}]"),
                    "invalid_period",
                    e,
                )),
            }
        }
    }
    let Some(date) = date.filter(|_| bad.is_empty()) else {
        return Err(AppError::invalid(bad));
    };
    let day = OfficeDay { date, periods };
    let rule = slots::rule_for(conn, office_id, default_rule)?;
    day.validate(&rule)
        .map_err(|e| AppError::invalid(vec![InvalidParam::new("periods", "periods_overlap", e)]))?;
    let shown = view(&day);
    db::write_tx(conn, |c| -> Result<(), AppError> {
        special::set(c, office_id, &day, crate::clock::now())?;
        let actor = staff.id.to_string();
        let details = Details::none()
            .with("date", &shown.date)
            .with("closed", shown.closed)
            .with("periods", &shown.periods);
        audit::record(
            c,
            Event::by_staff(
                staff,
                &actor,
                "schedule.special_date.set",
                Some(("office", office_id)),
                details,
            ),
        )?;
        Ok(())
    })?;
    Ok(shown)
}

/// The office's supervisor removes a special date (it follows the week again): whether there
/// was one.
pub fn remove_special_date(
    conn: &mut DbConn,
    staff: &Staff,
    office_id: &str,
    date: &str,
) -> Result<bool, AppError> {
    staff.require_role(&[Role::Supervisor])?;
    staff.require_office(office_id)?;
    let date = crate::clock::parse_date(date.trim()).ok_or_else(|| {
        AppError::invalid(vec![InvalidParam::new(
            "date",
            "invalid_date",
            "a date YYYY-MM-DD",
        )])
    })?;
    db::write_tx(conn, |c| -> Result<bool, AppError> {
        let removed = special::remove(c, office_id, date)?;
        if removed {
            let actor = staff.id.to_string();
            audit::record(
                c,
                Event::by_staff(
                    staff,
                    &actor,
                    "schedule.special_date.removed",
                    Some(("office", office_id)),
                    Details::none().with("date", date.to_string()),
                ),
            )?;
        }
        Ok(removed)
    })
}

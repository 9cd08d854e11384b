//! A supervisor's weekly opening rule of their office.

use serde::{Deserialize, Serialize};

use hunyin_domain::schedule::{parse_period, parse_weekday, WeeklyRule};
use hunyin_domain::staff::Role;
use hunyin_store::{self as db, slots, DbConn};

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

//! The bookable slots of an office, computed from its weekly rule, its special dates and the
//! holiday calendar, with the seats left; and the check that a slot id may be booked now.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use hunyin_domain::schedule::{office_slots_on, OfficeDay, SlotTime, WeeklyRule};
use hunyin_store::offices::{self, Office};
use hunyin_store::{slots, special_dates, DbConn};

use super::{rfc3339_local, slot_not_bookable, unknown_office, unknown_slot, Rules};
use crate::error::AppError;
use crate::scheduling::ComputedSlot;

/// A slot as the API shows it.
#[derive(Debug, Serialize)]
pub struct SlotView {
    /// Shared with the kept month (no copy per request).
    pub id: Arc<str>,
    pub start: Arc<str>,
    pub end: Arc<str>,
    pub capacity: i32,
    pub remaining: i32,
}

/// An office's bookable slots between two dates, as the listing answers them (fields in the
/// order the answer has always had).
#[derive(Debug, Serialize)]
pub struct SlotListing {
    pub from: String,
    pub office_id: String,
    pub slots: Vec<SlotView>,
    pub to: String,
}

/// [`list_slots`] as the listing answers it.
pub fn listing(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    office_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    now: NaiveDateTime,
) -> Result<SlotListing, AppError> {
    Ok(SlotListing {
        slots: list_slots(conn, rules, office_id, from, to, now)?,
        office_id: office_id.to_owned(),
        from: from.to_string(),
        to: to.to_string(),
    })
}

/// The bookable slots of an office between two dates (inclusive), as of `now` (Shanghai).
/// One read: the office, its weekly rule and the stored seats of those days together. The
/// slots themselves are computed once per office, rule and days
/// ([`crate::scheduling::MonthCache`]); a stored seat count is matched by the slot's id.
pub fn list_slots(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    office_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    now: NaiveDateTime,
) -> Result<Vec<SlotView>, AppError> {
    let s = rules.scheduling;
    let first = from.max(now.date());
    let last = to.min(s.window.last_day(now));
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight");
    let (rule, stored) = slots::listing_state(
        conn,
        office_id,
        &s.default_rule,
        midnight(first),
        midnight(last.succ_opt().unwrap_or(last)),
    )?
    .ok_or_else(unknown_office)?;
    let special = special_dates::between(conn, office_id, first, last)?;
    let days = s
        .months
        .get_or_compute(office_id, &rule, &special, first, last, || {
            compute(rules, &rule, &special, office_id, first, last)
        });
    let stored: std::collections::HashMap<&str, (i32, i32)> = stored
        .iter()
        .map(|(id, capacity, booked)| (id.as_str(), (*capacity, *booked)))
        .collect();
    Ok(days
        .iter()
        .filter(|t| s.window.allows(now, t.start_at))
        .map(|t| {
            let (capacity, booked) = stored
                .get(&*t.id)
                .copied()
                .unwrap_or((t.capacity as i32, 0));
            SlotView {
                id: t.id.clone(),
                start: t.start.clone(),
                end: t.end.clone(),
                capacity,
                remaining: (capacity - booked).max(0),
            }
        })
        .collect())
}

/// Every slot of the days `first..=last` under `rule`, the office's special dates, the
/// exceptions and the calendar.
fn compute(
    rules: &Rules<'_>,
    rule: &WeeklyRule,
    special: &[OfficeDay],
    office_id: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<ComputedSlot> {
    let s = rules.scheduling;
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .flat_map(|day| office_slots_on(rule, &s.exceptions, &s.calendar, special, day))
        .map(|t: SlotTime| ComputedSlot {
            id: slots::slot_id(office_id, t.start).into(),
            start_at: t.start,
            start: rfc3339_local(t.start).into(),
            end: rfc3339_local(t.end).into(),
            capacity: t.capacity,
        })
        .collect()
}

/// Resolves a slot id for booking: the office exists, the slot is in its schedule, and the
/// booking window allows it now.
pub(crate) fn resolve_slot(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    office_id: &str,
    slot_id: &str,
    now: NaiveDateTime,
) -> Result<(Office, SlotTime), AppError> {
    let office = offices::find(conn, office_id)?.ok_or_else(unknown_office)?;
    let (slot_office, start) = slots::parse_slot_id(slot_id).ok_or_else(unknown_slot)?;
    if slot_office != office_id {
        return Err(unknown_slot());
    }
    let s = rules.scheduling;
    let rule = slots::rule_for(conn, office_id, &s.default_rule)?;
    let special = special_dates::between(conn, office_id, start.date(), start.date())?;
    let slot = office_slots_on(&rule, &s.exceptions, &s.calendar, &special, start.date())
        .into_iter()
        .find(|t| t.start == start)
        .ok_or_else(unknown_slot)?;
    if start <= now {
        return Err(slot_not_bookable(
            "The slot has already begun.",
            "该时段已开始或已过去。",
        ));
    }
    if !s.window.allows(now, start) {
        return Err(slot_not_bookable(
            &format!(
                "Slots can be booked from {} days before their day until {} minutes before they start.",
                s.window.days_ahead, s.window.min_notice_minutes
            ),
            &format!(
                "预约时段须在当天前{}天内、开始前{}分钟之前预约。",
                s.window.days_ahead, s.window.min_notice_minutes
            ),
        ));
    }
    Ok((office, slot))
}

//! The bookable slots of an office, computed from its weekly rule and the holiday calendar,
//! with the seats left; and the check that a slot id may be booked now.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use hunyin_domain::schedule::{slots_on, SlotTime};
use hunyin_store::offices::{self, Office};
use hunyin_store::{slots, DbConn};

use super::{rfc3339_local, slot_not_bookable, unknown_office, unknown_slot, Rules};
use crate::error::AppError;

/// A slot as the API shows it.
#[derive(Debug, Serialize)]
pub struct SlotView {
    pub id: String,
    pub start: String,
    pub end: String,
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
pub fn list_slots(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    office_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    now: NaiveDateTime,
) -> Result<Vec<SlotView>, AppError> {
    if offices::find(conn, office_id)?.is_none() {
        return Err(unknown_office());
    }
    let s = rules.scheduling;
    let rule = slots::rule_for(conn, office_id, &s.default_rule)?;
    let first = from.max(now.date());
    let last = to.min(s.window.last_day(now));
    let mut computed: Vec<SlotTime> = Vec::new();
    for day in first.iter_days().take_while(|d| *d <= last) {
        computed.extend(
            slots_on(&rule, &s.exceptions, &s.calendar, day)
                .into_iter()
                .filter(|t| s.window.allows(now, t.start)),
        );
    }
    let (Some(earliest), Some(latest)) = (computed.first(), computed.last()) else {
        return Ok(Vec::new());
    };
    let stored: std::collections::HashMap<String, slots::SlotRow> =
        slots::stored_between(conn, office_id, earliest.start, latest.end)?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
    Ok(computed
        .iter()
        .map(|t| {
            let id = slots::slot_id(office_id, t.start);
            let row = stored.get(&id);
            let capacity = row.map_or(t.capacity as i32, |r| r.capacity);
            let booked = row.map_or(0, |r| r.booked);
            SlotView {
                id,
                start: rfc3339_local(t.start),
                end: rfc3339_local(t.end),
                capacity,
                remaining: (capacity - booked).max(0),
            }
        })
        .collect())
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
    let slot = slots_on(&rule, &s.exceptions, &s.calendar, start.date())
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

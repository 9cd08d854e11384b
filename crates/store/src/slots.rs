//! Office schedules and slots. A slot row exists once someone books it (or materialisation ran);
//! its seat count changes only through conditional updates.

use chrono::{NaiveDateTime, Weekday};
use diesel::prelude::*;

use super::DbConn;
use crate::schema::{office_schedules, offices, slots};
use hunyin_domain::schedule::{parse_period, parse_weekday, SlotTime, WeeklyRule};
pub use hunyin_domain::slot::{parse_slot_id, slot_id};
pub use hunyin_domain::time::{day_range_utc, to_local, to_utc};

/// A stored slot (times in UTC).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = slots)]
pub struct SlotRow {
    pub id: String,
    pub office_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub capacity: i32,
    pub booked: i32,
}

/// The row for a computed slot, not yet booked.
pub fn new_row(office_id: &str, slot: &SlotTime) -> SlotRow {
    SlotRow {
        id: slot_id(office_id, slot.start),
        office_id: office_id.to_owned(),
        starts_at: to_utc(slot.start),
        ends_at: to_utc(slot.end),
        capacity: slot.capacity as i32,
        booked: 0,
    }
}

/// The stored rows of an office starting in `[from, to)` (Shanghai times): one indexed range
/// read with a fixed statement (a list of ids would be a new statement per length).
pub fn stored_between(
    conn: &mut DbConn,
    office_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<SlotRow>> {
    slots::table
        .filter(slots::office_id.eq(office_id))
        .filter(slots::starts_at.ge(to_utc(from)))
        .filter(slots::starts_at.lt(to_utc(to)))
        .select(SlotRow::as_select())
        .load(conn)
}

/// One stored slot.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<SlotRow>> {
    slots::table
        .find(id)
        .select(SlotRow::as_select())
        .first(conn)
        .optional()
}

/// Stores the row unless it exists, in one statement: a concurrent insert of the same slot
/// (another request or instance) is expected and leaves the row as the first one wrote it.
pub fn ensure(conn: &mut DbConn, row: &SlotRow) -> QueryResult<()> {
    let q = diesel::insert_into(slots::table)
        .values(row)
        .on_conflict_do_nothing();
    match conn {
        DbConn::Pg(c) => q.execute(c),
        DbConn::Sqlite(c) => q.execute(c),
    }
    .map(|_| ())
}

/// Takes one seat if one is free; false when the slot is full. One conditional statement, so
/// capacity holds whatever the number of clients and instances.
pub fn take_seat(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
    let n = diesel::update(
        slots::table
            .filter(slots::id.eq(id))
            .filter(slots::booked.lt(slots::capacity)),
    )
    .set(slots::booked.eq(slots::booked + 1))
    .execute(conn)?;
    Ok(n == 1)
}

/// Gives a seat back.
pub fn free_seat(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::update(
        slots::table
            .filter(slots::id.eq(id))
            .filter(slots::booked.gt(0)),
    )
    .set(slots::booked.eq(slots::booked - 1))
    .execute(conn)
    .map(|_| ())
}

fn encode_weekdays(days: &[Weekday]) -> String {
    days.iter()
        .map(|d| d.to_string().to_lowercase())
        .collect::<Vec<_>>()
        .join(",")
}

fn encode_periods(periods: &[(chrono::NaiveTime, chrono::NaiveTime)]) -> String {
    periods
        .iter()
        .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(",")
}

/// Stores `rule` as the office's weekly rule (replacing any).
pub fn set_rule(
    conn: &mut DbConn,
    office_id: &str,
    rule: &WeeklyRule,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(office_schedules::table.find(office_id)).execute(conn)?;
    diesel::insert_into(office_schedules::table)
        .values((
            office_schedules::office_id.eq(office_id),
            office_schedules::weekdays.eq(encode_weekdays(&rule.weekdays)),
            office_schedules::periods.eq(encode_periods(&rule.periods)),
            office_schedules::slot_minutes.eq(rule.slot_minutes as i32),
            office_schedules::capacity.eq(rule.capacity as i32),
            office_schedules::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The office's weekly rule, or `default` when it has none stored (or it cannot be read).
pub fn rule_for(
    conn: &mut DbConn,
    office_id: &str,
    default: &WeeklyRule,
) -> QueryResult<WeeklyRule> {
    let row: Option<(String, String, i32, i32)> = office_schedules::table
        .find(office_id)
        .select((
            office_schedules::weekdays,
            office_schedules::periods,
            office_schedules::slot_minutes,
            office_schedules::capacity,
        ))
        .first(conn)
        .optional()?;
    let Some((weekdays, periods, slot_minutes, capacity)) = row else {
        return Ok(default.clone());
    };
    Ok(parse_rule(
        office_id,
        &weekdays,
        &periods,
        slot_minutes,
        capacity,
        default,
    ))
}

/// `None` when no office has this id; else its weekly rule, or `default` when it has none
/// stored: one read for both.
pub fn office_rule(
    conn: &mut DbConn,
    office_id: &str,
    default: &WeeklyRule,
) -> QueryResult<Option<WeeklyRule>> {
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<i32>,
        Option<i32>,
    );
    let row: Option<Row> = offices::table
        .left_join(office_schedules::table.on(office_schedules::office_id.eq(offices::id)))
        .filter(offices::id.eq(office_id))
        .select((
            offices::id,
            office_schedules::weekdays.nullable(),
            office_schedules::periods.nullable(),
            office_schedules::slot_minutes.nullable(),
            office_schedules::capacity.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(_, w, p, m, c)| match (w, p, m, c) {
        (Some(w), Some(p), Some(m), Some(c)) => parse_rule(office_id, &w, &p, m, c, default),
        _ => default.clone(),
    }))
}

/// The seats stored for one slot: id, capacity, booked.
pub type Seats = (String, i32, i32);

/// What a listing reads, in one statement: `None` when no office has this id; else its weekly
/// rule (or `default`) and the stored seats of its slots starting in `[from, to)` (Shanghai
/// times). One indexed read per listing whatever the number of instances: a rule changed
/// through another instance is read with the seats it governs.
pub fn listing_state(
    conn: &mut DbConn,
    office_id: &str,
    default: &WeeklyRule,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Option<(WeeklyRule, Vec<Seats>)>> {
    type Row = (
        Option<String>,
        Option<String>,
        Option<i32>,
        Option<i32>,
        Option<String>,
        Option<i32>,
        Option<i32>,
    );
    let rows: Vec<Row> = offices::table
        .left_join(office_schedules::table.on(office_schedules::office_id.eq(offices::id)))
        .left_join(
            slots::table.on(slots::office_id
                .eq(offices::id)
                .and(slots::starts_at.ge(to_utc(from)))
                .and(slots::starts_at.lt(to_utc(to)))),
        )
        .filter(offices::id.eq(office_id))
        .select((
            office_schedules::weekdays.nullable(),
            office_schedules::periods.nullable(),
            office_schedules::slot_minutes.nullable(),
            office_schedules::capacity.nullable(),
            slots::id.nullable(),
            slots::capacity.nullable(),
            slots::booked.nullable(),
        ))
        .load(conn)?;
    let Some((w, p, m, c, ..)) = rows.first().cloned() else {
        return Ok(None);
    };
    let rule = match (w, p, m, c) {
        (Some(w), Some(p), Some(m), Some(c)) => parse_rule(office_id, &w, &p, m, c, default),
        _ => default.clone(),
    };
    let seats = rows
        .into_iter()
        .filter_map(|(.., id, capacity, booked)| Some((id?, capacity?, booked?)))
        .collect();
    Ok(Some((rule, seats)))
}

/// The stored columns of a weekly rule, or `default` (logged) when they cannot be read.
fn parse_rule(
    office_id: &str,
    weekdays: &str,
    periods: &str,
    slot_minutes: i32,
    capacity: i32,
    default: &WeeklyRule,
) -> WeeklyRule {
    let parsed = (|| -> Result<WeeklyRule, String> {
        let rule = WeeklyRule {
            weekdays: weekdays
                .split(',')
                .filter(|s| !s.is_empty())
                .map(parse_weekday)
                .collect::<Result<_, _>>()?,
            periods: periods
                .split(',')
                .map(parse_period)
                .collect::<Result<_, _>>()?,
            slot_minutes: u32::try_from(slot_minutes).map_err(|e| e.to_string())?,
            capacity: u32::try_from(capacity).map_err(|e| e.to_string())?,
        };
        rule.validate()?;
        Ok(rule)
    })();
    parsed.unwrap_or_else(|e| {
        tracing::error!(office_id, error = %e, "stored weekly rule unreadable; using the default");
        default.clone()
    })
}

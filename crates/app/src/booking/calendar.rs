//! An office's month as the couples' calendar page shows it: each day with its kind (public
//! holiday, 调休 working day, special opening), whether the office opens, whether it can be
//! booked yet, and its slots with the seats left; and an appointment's calendar file.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use serde::Serialize;

use hunyin_domain::calendar::DayKind;
use hunyin_domain::schedule::office_opens_on;
use hunyin_store::offices;
use hunyin_store::{slots, DbConn};

use super::{list_slots, unknown_office, OfficeView, Rules, SlotView};
use crate::error::AppError;

/// One day of the month.
#[derive(Debug, Serialize)]
pub struct DayView {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub day: u32,
    /// ISO weekday, 1 Monday … 7 Sunday.
    pub weekday: u32,
    /// `holiday`, `adjusted_workday` (调休上班) or `ordinary`.
    pub kind: &'static str,
    /// A special opening (5-20, 2-14, 七夕 and the configured one-off dates).
    pub special: bool,
    /// The office opens that day.
    pub open: bool,
    /// Inside the booking window now (not past, not too far ahead).
    pub bookable: bool,
    /// Seats left over the day's bookable slots.
    pub free: i32,
    pub slots: Vec<SlotView>,
}

/// A month of an office.
#[derive(Debug, Serialize)]
pub struct MonthView {
    pub office: OfficeView,
    /// `YYYY-MM`.
    pub month: String,
    /// The month before, when it is not wholly past.
    pub previous: Option<String>,
    /// The month after, when some of it can already be booked.
    pub next: Option<String>,
    /// Days ahead slots open for booking.
    pub days_ahead: u32,
    pub days: Vec<DayView>,
}

/// The month starting `first` (its first day) of `office_id`, as of `now` (Shanghai).
pub fn month(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    office_id: &str,
    first: NaiveDate,
    now: NaiveDateTime,
) -> Result<MonthView, AppError> {
    let first = first.with_day(1).unwrap_or(first);
    let office = offices::find(conn, office_id)?.ok_or_else(unknown_office)?;
    let next_first = first + Months::new(1);
    let last = next_first.pred_opt().unwrap_or(first);
    let s = rules.scheduling;
    let rule = slots::rule_for(conn, office_id, &s.default_rule)?;
    let office_days = hunyin_store::special_dates::between(conn, office_id, first, last)?;
    let today = now.date();
    let window_last = s.window.last_day(now);
    let listed = if last < today || first > window_last {
        Vec::new()
    } else {
        list_slots(conn, rules, office_id, first, last, now)?
    };
    let mut listed = listed.into_iter().peekable();
    let mut days = Vec::new();
    for date in first.iter_days().take_while(|d| *d <= last) {
        let prefix = date.format("%Y-%m-%d").to_string();
        let mut day_slots = Vec::new();
        while let Some(slot) = listed.next_if(|s| s.start.starts_with(&prefix)) {
            day_slots.push(slot);
        }
        let ex = &s.exceptions;
        let own = office_days.iter().find(|d| d.date == date);
        let special = match own {
            Some(d) => !d.periods.is_empty(),
            None => {
                ex.open_dates.contains(&date)
                    || ex.yearly_openings.contains(&(date.month(), date.day()))
            }
        };
        days.push(DayView {
            date: prefix,
            day: date.day(),
            weekday: date.weekday().number_from_monday(),
            kind: match s.calendar.day_kind(date) {
                DayKind::Holiday => "holiday",
                DayKind::AdjustedWorkday => "adjusted_workday",
                DayKind::Ordinary => "ordinary",
            },
            special,
            open: office_opens_on(&rule, ex, &s.calendar, &office_days, date),
            bookable: date >= today && date <= window_last,
            free: day_slots.iter().map(|s| s.remaining).sum(),
            slots: day_slots,
        });
    }
    let this_month = today.with_day(1).unwrap_or(today);
    Ok(MonthView {
        office: OfficeView::from(&office),
        month: first.format("%Y-%m").to_string(),
        previous: (first > this_month)
            .then(|| (first - Months::new(1)).format("%Y-%m").to_string()),
        next: (next_first <= window_last).then(|| next_first.format("%Y-%m").to_string()),
        days_ahead: s.window.days_ahead,
        days,
    })
}

/// An appointment's calendar file, for its holders to download.
#[derive(Debug, Serialize)]
pub struct IcsView {
    /// `AP-7K3M9Q.ics`
    pub filename: String,
    /// The RFC 5545 object (`METHOD:REQUEST`, or `CANCEL` once cancelled).
    pub body: String,
}

/// The calendar file of the appointment `token` opens (404 otherwise, as for viewing it).
pub fn ics(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    reference: &str,
    token: Option<&str>,
) -> Result<IcsView, AppError> {
    let a = super::manage::authorised(conn, reference, token)?;
    let office = offices::find(conn, &a.office_id)?.ok_or_else(unknown_office)?;
    let kind = if a.status == hunyin_domain::Status::Cancelled {
        crate::mail::Kind::Cancelled
    } else {
        crate::mail::Kind::Confirmation
    };
    let email = super::notices::mail_for(conn, rules, &a, &office, kind)?;
    Ok(IcsView {
        filename: format!("{}.ics", a.reference),
        body: email
            .ics
            .ok_or_else(|| AppError::internal("an appointment mail without its calendar"))?,
    })
}

/// A slot chosen for booking, as the booking pages name it.
#[derive(Debug, Serialize)]
pub struct SlotChoice {
    pub office: OfficeView,
    pub slot_id: String,
    /// RFC 3339, +08:00.
    pub start: String,
    pub end: String,
}

/// The slot `slot_id` of `office_id` if it may be booked now (the errors of booking it
/// otherwise: unknown office or slot, `slot_not_bookable`).
pub fn slot_choice(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    office_id: &str,
    slot_id: &str,
    now: NaiveDateTime,
) -> Result<SlotChoice, AppError> {
    let (office, slot) = super::resolve_slot(conn, rules, office_id, slot_id, now)?;
    Ok(SlotChoice {
        office: OfficeView::from(&office),
        slot_id: slot_id.to_owned(),
        start: crate::views::rfc3339_local(slot.start),
        end: crate::views::rfc3339_local(slot.end),
    })
}

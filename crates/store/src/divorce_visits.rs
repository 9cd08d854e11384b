//! The visits of a divorce and its reminders: the application visit an application is received
//! from, the issue visits booked for it, and the two reminders (each set once by a conditional
//! update, so several instances or sweeps queue each only once).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConn;
use crate::schema::{appointments, divorce_applications, divorce_parties};

/// The application with this id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<super::divorce::Application>> {
    divorce_applications::table
        .find(id)
        .select(super::divorce::Application::as_select())
        .first(conn)
        .optional()
}

/// The application received from the application visit `appointment_id`, if any.
pub fn received_from(
    conn: &mut DbConn,
    appointment_id: i64,
) -> QueryResult<Option<super::divorce::Application>> {
    divorce_applications::table
        .filter(divorce_applications::appointment_id.eq(appointment_id))
        .select(super::divorce::Application::as_select())
        .first(conn)
        .optional()
}

/// Which reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// The cooling-off is over: the issue window is open.
    WindowOpen,
    /// The issue window closes soon.
    WindowClosing,
}

/// Received applications whose reminder `which` is due on `today` and not yet sent: the window
/// opened (`issue_from <= today`), or it is open and closes within `days` (`issue_until <=
/// today + days`).
/// Ids, oldest first, at most 500.
pub fn reminders_due(
    conn: &mut DbConn,
    which: Reminder,
    today: NaiveDate,
    days: u32,
) -> QueryResult<Vec<i64>> {
    let received = divorce_applications::table
        .filter(divorce_applications::status.eq("received"))
        .filter(divorce_applications::issue_until.ge(today));
    match which {
        Reminder::WindowOpen => received
            .filter(divorce_applications::reminded_open_at.is_null())
            .filter(divorce_applications::issue_from.le(today))
            .select(divorce_applications::id)
            .order(divorce_applications::id)
            .limit(500)
            .load(conn),
        Reminder::WindowClosing => received
            .filter(divorce_applications::reminded_close_at.is_null())
            // Only once the window is open, however many days the setting asks.
            .filter(divorce_applications::issue_from.le(today))
            // A setting of absurd size means "at once", never an overflow (a window is shorter
            // than a year).
            .filter(
                divorce_applications::issue_until
                    .le(today + chrono::Duration::days(i64::from(days.min(366)))),
            )
            .select(divorce_applications::id)
            .order(divorce_applications::id)
            .limit(500)
            .load(conn),
    }
}

/// Marks reminder `which` of a still-received application sent at `at`; false when it was
/// already sent or the application moved on (then nothing is to be queued).
pub fn mark_reminded(
    conn: &mut DbConn,
    id: i64,
    which: Reminder,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let target = divorce_applications::table
        .filter(divorce_applications::id.eq(id))
        .filter(divorce_applications::status.eq("received"));
    let n = match which {
        Reminder::WindowOpen => {
            diesel::update(target.filter(divorce_applications::reminded_open_at.is_null()))
                .set(divorce_applications::reminded_open_at.eq(Some(at)))
                .execute(conn)?
        }
        Reminder::WindowClosing => {
            diesel::update(target.filter(divorce_applications::reminded_close_at.is_null()))
                .set(divorce_applications::reminded_close_at.eq(Some(at)))
                .execute(conn)?
        }
    };
    Ok(n == 1)
}

/// Records the application visit `appointment_id` an application was received from.
pub fn set_appointment(conn: &mut DbConn, id: i64, appointment_id: i64) -> QueryResult<()> {
    diesel::update(divorce_applications::table.find(id))
        .set(divorce_applications::appointment_id.eq(Some(appointment_id)))
        .execute(conn)
        .map(|_| ())
}

/// Sets a party's contact.
pub fn set_email(conn: &mut DbConn, id: i64, idx: i32, email: &str) -> QueryResult<()> {
    diesel::update(
        divorce_parties::table
            .filter(divorce_parties::application_id.eq(id))
            .filter(divorce_parties::idx.eq(idx)),
    )
    .set(divorce_parties::email.eq(Some(email)))
    .execute(conn)
    .map(|_| ())
}

/// An issue visit as its application's closing sees it.
#[derive(Debug, Clone, Queryable)]
pub struct IssueVisit {
    pub id: i64,
    pub status: String,
    pub slot_id: Option<String>,
    pub office_id: String,
}

/// The issue visits of an application in one of `statuses`.
pub fn issue_visits(
    conn: &mut DbConn,
    application_id: i64,
    statuses: &[&str],
) -> QueryResult<Vec<IssueVisit>> {
    appointments::table
        .filter(appointments::divorce_application_id.eq(application_id))
        .filter(appointments::status.eq_any(statuses))
        .select((
            appointments::id,
            appointments::status,
            appointments::slot_id,
            appointments::office_id,
        ))
        .order(appointments::id)
        .load(conn)
}

//! The reminders of a received divorce application, a round of the sweep: when the cooling-off
//! ends (the issue window opens) and `days_before_close` days before the window's last day, to
//! the parties' contacts. Each reminder is queued in the transaction of the conditional update
//! that marks it sent, so several instances or rounds queue it once; an application no longer
//! received (withdrawn, refused, issued, lapsed) matches neither.

use chrono::{NaiveDate, NaiveDateTime};

use hunyin_store::divorce as store;
use hunyin_store::divorce_visits::{self, Reminder};
use hunyin_store::{self as db, offices, DbConn};

use crate::audit::{self, Details, Event};
use crate::error::AppError;
use crate::mail::Email;
use crate::outbox::OutboxMessage;

/// Queues the reminders due on `today`; answers how many were queued (each to both parties).
pub fn remind_due(
    conn: &mut DbConn,
    today: NaiveDate,
    now: NaiveDateTime,
    days_before_close: u32,
) -> Result<usize, AppError> {
    let due = due_reminders(conn, today, days_before_close)?;
    send_reminders(conn, &due, now)
}

/// The reminders due on `today` and not yet sent, as read (another round may send them first).
#[derive(Debug, Clone, Default)]
pub struct DueReminders(Vec<(Reminder, Vec<i64>)>);

/// Reads the reminders due on `today`.
pub fn due_reminders(
    conn: &mut DbConn,
    today: NaiveDate,
    days_before_close: u32,
) -> Result<DueReminders, AppError> {
    let mut out = Vec::new();
    for which in [Reminder::WindowOpen, Reminder::WindowClosing] {
        let ids = divorce_visits::reminders_due(conn, which, today, days_before_close)?;
        if !ids.is_empty() {
            out.push((which, ids));
        }
    }
    Ok(DueReminders(out))
}

/// Queues the reminders read in `due`, each only if no round sent it since (the conditional
/// update decides, in the transaction that queues the mail); answers how many it queued.
pub fn send_reminders(
    conn: &mut DbConn,
    due: &DueReminders,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    if due.0.is_empty() {
        return Ok(0);
    }
    db::write_tx(conn, |c| -> Result<usize, AppError> {
        let mut sent = 0;
        for (which, ids) in &due.0 {
            for id in ids {
                // Conditional: another instance's round, or the application's closing, first.
                if !divorce_visits::mark_reminded(c, *id, *which, now)? {
                    continue;
                }
                let Some(app) = divorce_visits::find(c, *id)? else {
                    continue;
                };
                let recipients = queue(c, &app, *which, now)?;
                let subject = id.to_string();
                let mut event = Event::system(
                    "divorce.reminded",
                    &app.office_id,
                    ("divorce_application", &subject),
                );
                event.details = Details::none()
                    .with("reminder", name(*which))
                    .with("recipients", recipients);
                audit::record(c, event)?;
                sent += 1;
            }
        }
        Ok(sent)
    })
}

fn name(which: Reminder) -> &'static str {
    match which {
        Reminder::WindowOpen => "window_open",
        Reminder::WindowClosing => "window_closing",
    }
}

/// Queues the reminder to each party with a contact; answers how many.
fn queue(
    c: &mut DbConn,
    app: &store::Application,
    which: Reminder,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let parties = store::parties(c, app.id)?;
    let office = offices::find(c, &app.office_id)?
        .ok_or_else(|| AppError::internal("an application of an unknown office"))?;
    let names = parties
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let zh = |d: NaiveDate| d.format("%Y年%m月%d日").to_string();
    let en = |d: NaiveDate| d.format("%-d %B %Y").to_string();
    let (template, subject) = match which {
        Reminder::WindowOpen => (
            include_str!("../../../../templates/divorce_window_open.txt"),
            format!(
                "离婚冷静期已届满，请申请发给离婚证 {} / The cooling-off period is over",
                app.reference
            ),
        ),
        Reminder::WindowClosing => (
            include_str!("../../../../templates/divorce_window_closing.txt"),
            format!(
                "申请发给离婚证的期间即将届满 {} / The time to ask for the certificate ends soon",
                app.reference
            ),
        ),
    };
    let text = template
        .replace("{names}", &names)
        .replace("{reference}", &app.reference)
        .replace("{office}", &office.name)
        .replace("{address}", &office.address)
        .replace("{phone}", &office.phone)
        .replace("{cooling_off_ends_zh}", &zh(app.cooling_off_ends))
        .replace("{cooling_off_ends_en}", &en(app.cooling_off_ends))
        .replace("{issue_from_zh}", &zh(app.issue_from))
        .replace("{issue_from_en}", &en(app.issue_from))
        .replace("{issue_until_zh}", &zh(app.issue_until))
        .replace("{issue_until_en}", &en(app.issue_until));
    let mut n = 0;
    for to in parties.iter().filter_map(|p| p.email.as_deref()) {
        let email = Email {
            to: to.to_owned(),
            subject: subject.clone(),
            text: text.clone(),
            html: None,
            ics: None,
            ics_method: None,
        };
        OutboxMessage::Email(email).enqueue(c, now, now)?;
        n += 1;
    }
    Ok(n)
}

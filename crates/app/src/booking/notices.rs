//! Mail about appointments: rendered when the change happens and queued in the same
//! transaction; reminders rendered when due.

use super::manage::documents_for;
use super::{unknown_office, Rules};
use crate::error::AppError;
use crate::mail;
use crate::outbox::{OutboxMessage, Reminder};
use hunyin_domain::eligibility;
use hunyin_domain::Status;
use hunyin_store::appointments::{self, Appointment};
use hunyin_store::offices::{self, Office};
use hunyin_store::slots::{self, to_local};
use hunyin_store::DbConn;

/// Renders a message about the appointment as it now stands.
pub(super) fn mail_for(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
    office: &Office,
    kind: mail::Kind,
) -> Result<mail::Email, AppError> {
    let slot = match &a.slot_id {
        Some(id) => slots::find(conn, id)?,
        None => None,
    }
    .ok_or_else(|| AppError::internal("an appointment without a slot has no mail"))?;
    let rows = appointments::parties(conn, a.id)?;
    let names = rows
        .iter()
        .map(|r| r.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let documents = documents_for(conn, rules.policy, a, office)?.documents;
    let (start, end) = (to_local(slot.starts_at), to_local(slot.ends_at));
    let about = About {
        reference: &a.reference,
        sequence: a.sequence,
        start,
        end,
        names,
        to: &a.contact_email,
    };
    let email = render(rules, office, about, &documents, kind);
    Ok(super::VisitKind::of(&a.service).reword(email))
}

/// What a message says about the appointment besides its office and documents.
struct About<'a> {
    reference: &'a str,
    sequence: i32,
    /// Shanghai wall-clock times.
    start: chrono::NaiveDateTime,
    end: chrono::NaiveDateTime,
    names: String,
    to: &'a str,
}

fn render(
    rules: &Rules<'_>,
    office: &Office,
    about: About<'_>,
    documents: &[eligibility::Document],
    kind: mail::Kind,
) -> mail::Email {
    let m = mail::AppointmentMail {
        reference: about.reference,
        sequence: about.sequence,
        office_name: &office.name,
        office_address: &office.address,
        office_phone: &office.phone,
        start: about.start,
        end: about.end,
        names: about.names,
        documents: mail_documents(documents),
        to: about.to,
    };
    mail::render(kind, &m, rules.mail_from)
}

/// The documents as `(zh, en)` lines, one per kind, saying whose: both parties, one of them
/// (by name order 1/2), or the couple together.
fn mail_documents(docs: &[eligibility::Document]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for d in docs {
        if seen.contains(&d.code) {
            continue;
        }
        seen.push(d.code);
        let parties: Vec<Option<usize>> = docs
            .iter()
            .filter(|x| x.code == d.code)
            .map(|x| x.party)
            .collect();
        let (zh, en) = d
            .description
            .split_once(" / ")
            .unwrap_or((d.description, d.description));
        let (who_zh, who_en) = match parties.as_slice() {
            [Some(_), Some(_)] => ("双方各一份：".to_owned(), "each of you: ".to_owned()),
            [Some(p)] => (format!("第{}方：", p + 1), format!("party {}: ", p + 1)),
            _ => (String::new(), String::new()),
        };
        out.push((format!("{who_zh}{zh}"), format!("{who_en}{en}")));
    }
    out
}

/// Queues the message in the caller's transaction, due now.
fn enqueue_mail(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
    office: &Office,
    kind: mail::Kind,
) -> Result<(), AppError> {
    let email = mail_for(conn, rules, a, office, kind)?;
    let now = crate::clock::now();
    OutboxMessage::Email(email).enqueue(conn, now, now)?;
    Ok(())
}

/// Queues the mail `kind` of `a` to each party's own contact (both, for a booking that was a
/// hold), or to the appointment's one contact (a booking made before holds existed).
pub(super) fn enqueue_mail_to_parties(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
    office: &Office,
    kind: mail::Kind,
) -> Result<(), AppError> {
    let mut recipients: Vec<String> = hunyin_store::holds::contacts(conn, a.id)?
        .into_iter()
        .map(|c| c.email)
        .collect();
    if recipients.is_empty() {
        recipients.push(a.contact_email.clone());
    }
    for email in recipients.into_iter().filter(|e| !e.is_empty()) {
        let mut to = a.clone();
        to.contact_email = email;
        enqueue_mail(conn, rules, &to, office, kind)?;
    }
    Ok(())
}

/// Queues the reminder for this version of the appointment, if it is still ahead.
pub(super) fn enqueue_reminder(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    a: &Appointment,
) -> Result<(), AppError> {
    if rules.reminder_hours == 0 {
        return Ok(());
    }
    let Some(slot) = (match &a.slot_id {
        Some(id) => slots::find(conn, id)?,
        None => None,
    }) else {
        return Ok(());
    };
    let due = slot.starts_at - chrono::Duration::hours(i64::from(rules.reminder_hours));
    if due <= crate::clock::now() {
        return Ok(());
    }
    let reminder = Reminder {
        reference: a.reference.clone(),
        sequence: a.sequence,
    };
    OutboxMessage::Reminder(reminder).enqueue(conn, due, crate::clock::now())?;
    Ok(())
}

/// The reminder for `r`, or `None` when the appointment has changed or closed since.
pub fn reminder(
    conn: &mut DbConn,
    rules: &Rules<'_>,
    r: &Reminder,
) -> Result<Option<mail::Email>, AppError> {
    let Some(a) = appointments::find_by_reference(conn, &r.reference)? else {
        return Ok(None);
    };
    if a.status != Status::Booked || a.sequence != r.sequence {
        return Ok(None);
    }
    let office = offices::find(conn, &a.office_id)?.ok_or_else(unknown_office)?;
    mail_for(conn, rules, &a, &office, mail::Kind::Reminder).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hunyin_domain::eligibility::Document;

    #[test]
    fn mail_documents_say_whose_each_is_once() {
        let d = |code, party, description| Document {
            code,
            party,
            description,
        };
        let docs = [
            d("id_card", Some(0), "身份证 / ID card"),
            d("id_card", Some(1), "身份证 / ID card"),
            d("residence_permit", Some(1), "居住证 / permit"),
            d("joint_photos", None, "合影 / photos"),
        ];
        assert_eq!(
            mail_documents(&docs),
            vec![
                (
                    "双方各一份：身份证".to_owned(),
                    "each of you: ID card".to_owned()
                ),
                ("第2方：居住证".to_owned(), "party 2: permit".to_owned()),
                ("合影".to_owned(), "photos".to_owned()),
            ]
        );
    }
}

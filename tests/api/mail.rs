//! Confirmation, change and reminder mail through the outbox: in memory, to `.eml` files, to a
//! real SMTP server on loopback, and with the SMTP server down.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use serde_json::Value;

use crate::support::lib::MailTransport;
use crate::support::mail::{link_secret, parse_mail, start_aiosmtpd, SentMail};
use crate::support::proxy::free_port;
use crate::support::{
    fresh_emails, nth_couple, nth_person, reference_and_token, spawn_app, spawn_app_with, TestApp,
};

const OFFICE: &str = "sz-gusu";

/// Slot ids starting three days or more from now, so a 24-hour reminder is still ahead.
async fn later_slots(app: &TestApp) -> Vec<String> {
    let cutoff = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    app.slots(OFFICE)
        .await
        .iter()
        .filter(|s| s["start"].as_str().unwrap()[..10] >= *cutoff)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A hold for couple `n` on a later slot, with each party's own email: the answer, the slot
/// and the emails.
async fn hold(app: &TestApp, n: u32) -> (Value, String, [String; 2]) {
    let slot = later_slots(app).await[0].clone();
    let emails = fresh_emails();
    let resp = app
        .book_with(OFFICE, &slot, nth_couple(n), [&emails[0], &emails[1]])
        .await;
    assert_eq!(resp.status(), 201);
    (resp.json().await.unwrap(), slot, emails)
}

/// A hold both parties confirmed from their in-memory mail.
async fn book(app: &TestApp, n: u32) -> (Value, String, String) {
    let (v, slot, emails) = hold(app, n).await;
    app.confirm_both([&emails[0], &emails[1]]).await;
    let [first, _] = emails;
    (v, slot, first)
}

/// Waits (up to 10 s) until `email` received `n` mails (in memory): them, oldest first.
async fn mails_to(app: &TestApp, email: &str, n: usize) -> Vec<SentMail> {
    for _ in 0..200 {
        let m = app.mails_to(email);
        if m.len() >= n {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} mails to {email} in 10 s");
}

/// The messages in a mail folder so far, parsed.
fn folder(dir: &std::path::Path) -> Vec<SentMail> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| parse_mail(&std::fs::read(e.path()).unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

/// Confirms a hold from the links delivered to a mail folder; then waits for the mail whose
/// subject contains `subject`.
async fn confirm_from_folder(app: &TestApp, dir: &std::path::Path, subject: &str) -> SentMail {
    let mut confirmed = 0;
    for _ in 0..200 {
        let links: Vec<String> = folder(dir)
            .iter()
            .filter(|m| m.subject.starts_with("请确认"))
            .filter_map(|m| link_secret(&m.text))
            .collect();
        if links.len() == 2 && confirmed == 0 {
            for t in &links {
                assert_eq!(app.confirm(t).await.status(), 200);
            }
            confirmed = 2;
        }
        if let Some(m) = folder(dir)
            .into_iter()
            .find(|m| m.subject.contains(subject))
        {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no mail {subject:?} in {}", dir.display());
}

fn calendar(m: &SentMail) -> String {
    m.calendar
        .clone()
        .expect("a calendar part")
        .replace("\r\n ", "")
}

#[tokio::test]
async fn booking_sends_a_bilingual_confirmation_with_a_calendar_request() {
    let app = spawn_app().await;
    let (v, slot, email) = book(&app, 1).await;
    let reference = v["reference"].as_str().unwrap();

    // The confirmation link first, then (both confirmed) the booking's confirmation.
    let mails = mails_to(&app, &email, 2).await;
    let m = &mails[1];
    assert_eq!(m.to, email);
    assert!(m.subject.contains(reference), "{}", m.subject);
    assert!(m.text.contains("您的结婚登记预约已成功"), "{}", m.text);
    assert!(m
        .text
        .contains("Your marriage registration appointment is booked"));
    assert!(m.text.contains("苏州市姑苏区民政局婚姻登记处"));
    assert!(m.text.contains("居民身份证"), "documents listed");
    assert_eq!(
        m.calendar_type.as_deref(),
        Some("text/calendar; method=REQUEST")
    );
    let ics = calendar(m);
    let start = &slot[slot.len() - 13..]; // 20261201T0900
    assert!(ics.contains("METHOD:REQUEST"));
    assert!(ics.contains(&format!("UID:{reference}@hunyin")));
    assert!(ics.contains("SEQUENCE:1"), "the hold was version 0");
    assert!(
        ics.contains(&format!("DTSTART;TZID=Asia/Shanghai:{start}00")),
        "{ics}"
    );
    assert!(ics.contains("ATTENDEE;") && ics.contains(&format!("mailto:{email}")));
    // The same in HTML, beside the text.
    let html = m.html.as_deref().expect("an HTML alternative");
    assert!(html.starts_with("<!doctype html>"), "{html}");
    for needle in [
        reference,
        "您的结婚登记预约已成功",
        "苏州市姑苏区民政局婚姻登记处",
        "居民身份证",
        "lang=\"en\"",
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    // The mail holds no full ID number.
    assert!(!m.text.contains(&nth_person(1, true)));
    assert!(!html.contains(&nth_person(1, true)));
}

#[tokio::test]
async fn reschedule_raises_the_sequence_and_cancel_sends_method_cancel() {
    let app = spawn_app().await;
    let (v, _, email) = book(&app, 2).await;
    let (r, t) = reference_and_token(&v);
    mails_to(&app, &email, 2).await;
    let other = app.slots(OFFICE).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = app.reschedule(r, t, &other).await;
    assert_eq!(moved.status(), 200);
    let mails = mails_to(&app, &email, 3).await;
    assert!(mails[2].text.contains("已改期"));
    let ics = calendar(&mails[2]);
    assert!(
        ics.contains("METHOD:REQUEST") && ics.contains("SEQUENCE:2"),
        "{ics}"
    );
    assert!(ics.contains(&format!("UID:{r}@hunyin")));

    let cancelled = app.cancel(r, t).await;
    assert_eq!(cancelled.status(), 200);
    let mails = mails_to(&app, &email, 4).await;
    assert!(mails[3].text.contains("已取消"));
    assert_eq!(
        mails[3].calendar_type.as_deref(),
        Some("text/calendar; method=CANCEL")
    );
    let ics = calendar(&mails[3]);
    assert!(ics.contains("METHOD:CANCEL") && ics.contains("STATUS:CANCELLED"));
    assert!(ics.contains("SEQUENCE:3"), "{ics}");
}

/// Only the reminder of the appointment's current version goes out.
#[tokio::test]
async fn the_reminder_follows_the_latest_version_only() {
    let app = spawn_app().await;
    let (v, _, email) = book(&app, 3).await;
    let (r, t) = reference_and_token(&v);
    let other = later_slots(&app).await[2].clone();
    app.reschedule(r, t, &other).await;
    // Link, confirmation, rescheduled.
    mails_to(&app, &email, 3).await;
    // Arrange: both reminders (first booking, after the move) fall due now.
    app.connect()
        .batch_execute(
            "UPDATE outbox SET available_at = '2000-01-01 00:00:00' WHERE kind = 'reminder'",
        )
        .unwrap();
    let mails = mails_to(&app, &email, 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all = mails_to(&app, &email, 4).await;
    assert_eq!(all.len(), 4, "one reminder, not two");
    assert!(mails[3].subject.contains("提醒"));
    assert!(mails[3].text.contains(r));
    assert!(mails[3].calendar.is_none());
}

#[tokio::test]
async fn the_file_transport_writes_eml_files() {
    let dir = std::env::temp_dir().join(format!("hunyin-mail-{}", uuid::Uuid::new_v4().simple()));
    let dir_s = dir.display().to_string();
    let app = spawn_app_with(|s| s.mail.file_dir = dir_s.clone());
    hold(&app, 4).await;
    let m = confirm_from_folder(&app, &dir, "预约成功").await;
    assert!(m.calendar.is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

/// An SMTP server that is down: the booking (a hold) stands all the same, its two confirmation
/// links wait in the outbox with their failed attempts counted, and metrics show the retries.
#[tokio::test]
async fn an_smtp_server_that_is_down_delays_mail_and_never_fails_the_booking() {
    let port = free_port(); // nothing listens here
    let app = spawn_app_with(|s| {
        s.mail.transport = MailTransport::Smtp;
        s.mail.smtp_port = port;
        s.mail.smtp_timeout_ms = 500;
        s.outbox.retry_base_secs = 3600;
    });
    let (v, _, _) = hold(&app, 5).await;
    let reference = v["reference"].as_str().unwrap();
    let mut failures = String::new();
    for _ in 0..100 {
        let text = app.get_metrics().await;
        if let Some(line) = text
            .lines()
            .find(|l| l.starts_with("outbox_attempt_failures_total{kind=\"email\"}"))
        {
            failures = line.to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        failures.ends_with(" 1") || failures.ends_with(" 2"),
        "{failures}"
    );
    let shown = app
        .view_appointment(reference, v["manage_token"].as_str())
        .await;
    assert_eq!(shown.status(), 200, "the booking stands");
    let mut metrics = String::new();
    for _ in 0..100 {
        metrics = app.get_metrics().await;
        if metrics.contains("outbox_pending 2") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        metrics.contains("outbox_pending 2"),
        "both confirmation links wait: {metrics}"
    );
}

/// Through lettre's SMTP transport to a real SMTP server on loopback.
#[tokio::test]
async fn mail_reaches_a_real_smtp_server_with_its_invitation() {
    let Some(smtp) = start_aiosmtpd() else { return };
    let port = smtp.port;
    let app = spawn_app_with(|s| {
        s.mail.transport = MailTransport::Smtp;
        s.mail.smtp_port = port;
    });
    let (v, _, emails) = hold(&app, 6).await;
    let reference = v["reference"].as_str().unwrap();
    let m = confirm_from_folder(&app, &smtp.maildir.join("new"), "预约成功").await;
    assert!(emails.contains(&m.to), "{}", m.to);
    assert!(m.subject.contains(reference));
    assert!(m.text.contains("您的结婚登记预约已成功"));
    let ics = calendar(&m);
    assert!(ics.contains(&format!("UID:{reference}@hunyin")));
    assert!(ics.contains("METHOD:REQUEST"));
}

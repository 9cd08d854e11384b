//! Confirmation, change and reminder mail through the outbox: in memory, to `.eml` files, to a
//! real SMTP server on loopback, and with the SMTP server down.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use serde_json::Value;

use crate::support::lib::MailTransport;
use crate::support::mail::{parse_mail, start_aiosmtpd, SentMail};
use crate::support::proxy::free_port;
use crate::support::{
    nth_couple, nth_person, reference_and_token, spawn_app, spawn_app_with, TestApp,
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

async fn book(app: &TestApp, n: u32) -> (Value, String) {
    let slot = later_slots(app).await[0].clone();
    let resp = app.book(OFFICE, &slot, nth_couple(n)).await;
    assert_eq!(resp.status(), 201);
    (resp.json().await.unwrap(), slot)
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
    let (v, slot) = book(&app, 1).await;
    let reference = v["reference"].as_str().unwrap();

    let mails = app.wait_for_mails(1).await;
    let m = &mails[0];
    assert_eq!(m.to, "couple@example.com");
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
    assert!(ics.contains("SEQUENCE:0"));
    assert!(
        ics.contains(&format!("DTSTART;TZID=Asia/Shanghai:{start}00")),
        "{ics}"
    );
    assert!(ics.contains("ATTENDEE;") && ics.contains("mailto:couple@example.com"));
    // The mail holds no full ID number.
    assert!(!m.text.contains(&nth_person(1, true)));
}

#[tokio::test]
async fn reschedule_raises_the_sequence_and_cancel_sends_method_cancel() {
    let app = spawn_app().await;
    let (v, _) = book(&app, 2).await;
    let (r, t) = reference_and_token(&v);
    app.wait_for_mails(1).await;
    let other = app.slots(OFFICE).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = app.reschedule(r, t, &other).await;
    assert_eq!(moved.status(), 200);
    let mails = app.wait_for_mails(2).await;
    assert!(mails[1].text.contains("已改期"));
    let ics = calendar(&mails[1]);
    assert!(
        ics.contains("METHOD:REQUEST") && ics.contains("SEQUENCE:1"),
        "{ics}"
    );
    assert!(ics.contains(&format!("UID:{r}@hunyin")));

    let cancelled = app.cancel(r, t).await;
    assert_eq!(cancelled.status(), 200);
    let mails = app.wait_for_mails(3).await;
    assert!(mails[2].text.contains("已取消"));
    assert_eq!(
        mails[2].calendar_type.as_deref(),
        Some("text/calendar; method=CANCEL")
    );
    let ics = calendar(&mails[2]);
    assert!(ics.contains("METHOD:CANCEL") && ics.contains("STATUS:CANCELLED"));
    assert!(ics.contains("SEQUENCE:2"), "{ics}");
}

/// Only the reminder of the appointment's current version goes out.
#[tokio::test]
async fn the_reminder_follows_the_latest_version_only() {
    let app = spawn_app().await;
    let (v, _) = book(&app, 3).await;
    let (r, t) = reference_and_token(&v);
    let other = later_slots(&app).await[2].clone();
    app.reschedule(r, t, &other).await;
    app.wait_for_mails(2).await;
    // Arrange: both reminders (first booking, after the move) fall due now.
    app.connect()
        .batch_execute(
            "UPDATE outbox SET available_at = '2000-01-01 00:00:00' WHERE kind = 'reminder'",
        )
        .unwrap();
    let mails = app.wait_for_mails(3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all = app.wait_for_mails(3).await;
    assert_eq!(all.len(), 3, "one reminder, not two");
    assert!(mails[2].subject.contains("提醒"));
    assert!(mails[2].text.contains(r));
    assert!(mails[2].calendar.is_none());
}

#[tokio::test]
async fn the_file_transport_writes_eml_files() {
    let dir = std::env::temp_dir().join(format!("hunyin-mail-{}", uuid::Uuid::new_v4().simple()));
    let dir_s = dir.display().to_string();
    let app = spawn_app_with(|s| s.mail.file_dir = dir_s.clone());
    book(&app, 4).await;
    let mut found = None;
    for _ in 0..200 {
        found = std::fs::read_dir(&dir)
            .ok()
            .and_then(|mut d| {
                d.find(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml"))
                })
            })
            .and_then(Result::ok);
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let file = found.expect("an .eml file").path();
    let m = parse_mail(&std::fs::read(&file).unwrap());
    assert!(m.calendar.is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

/// An SMTP server that is down: the booking is confirmed all the same, the message waits in
/// the outbox with its failed attempts counted, and metrics show the retries.
#[tokio::test]
async fn an_smtp_server_that_is_down_delays_mail_and_never_fails_the_booking() {
    let port = free_port(); // nothing listens here
    let app = spawn_app_with(|s| {
        s.mail.transport = MailTransport::Smtp;
        s.mail.smtp_port = port;
        s.mail.smtp_timeout_ms = 500;
        s.outbox.retry_base_secs = 3600;
    });
    let (v, _) = book(&app, 5).await;
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
    assert!(failures.ends_with(" 1"), "{failures}");
    let shown = app
        .view_appointment(reference, v["manage_token"].as_str())
        .await;
    assert_eq!(shown.status(), 200, "the booking stands");
    let metrics = app.get_metrics().await;
    assert!(
        metrics.contains("outbox_pending 2"),
        "confirmation and reminder wait: {metrics}"
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
    let (v, _) = book(&app, 6).await;
    let reference = v["reference"].as_str().unwrap();
    let new_dir = smtp.maildir.join("new");
    let mut raw = None;
    for _ in 0..200 {
        raw = std::fs::read_dir(&new_dir)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(Result::ok)
            .map(|e| std::fs::read(e.path()).unwrap());
        if raw.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let m = parse_mail(&raw.expect("a message in the maildir"));
    assert_eq!(m.to, "couple@example.com");
    assert!(m.subject.contains(reference));
    assert!(m.text.contains("您的结婚登记预约已成功"));
    let ics = calendar(&m);
    assert!(ics.contains(&format!("UID:{reference}@hunyin")));
    assert!(ics.contains("METHOD:REQUEST"));
}

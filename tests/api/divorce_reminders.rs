//! The reminders of a divorce application's issue window (issue 18), through the outbox: when
//! the cooling-off ends and `divorce.reminder_days_before_close` days before the window closes,
//! to the parties' contacts; each once, however many sweep rounds or instances run; none for a
//! withdrawn application.

use serde_json::{json, Value};

use crate::support::divorce::{clock_today, date, move_to, receive_body, spawn_divorce_app};
use crate::support::lib;
use crate::support::{audit_count, eventually, fresh_emails, nth_person, Counter, TestApp};

const OFFICE: &str = "sz-gusu";

/// Receives couple `n`'s divorce with both contacts given at the counter.
async fn received(desk: &Counter<'_>, n: u32) -> (Value, [String; 2]) {
    let number = desk.registered(n).await;
    let (man, woman) = (nth_person(n, true), nth_person(n, false));
    let emails = fresh_emails();
    let mut body = receive_body(
        &[(&man, "王强", "320508"), (&woman, "李娜", "320508")],
        &number,
    );
    body["parties"][0]["email"] = json!(emails[0]);
    body["parties"][1]["email"] = json!(emails[1]);
    let resp = desk.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    (resp.json().await.unwrap(), emails)
}

fn subjects(app: &TestApp, email: &str, prefix: &str) -> usize {
    app.mails_to(email)
        .iter()
        .filter(|m| m.subject.starts_with(prefix))
        .count()
}

/// Another instance's round on the same database, now: how many it reminded.
fn another_round(app: &TestApp) -> usize {
    let ctx = app.context.as_ref().unwrap();
    let mut conn = app.connect();
    lib::divorce_app::remind_due(
        &mut conn,
        ctx.clock.today(),
        lib::clock::now(),
        ctx.divorce_reminder_days,
    )
    .unwrap()
}

const OPEN: &str = "离婚冷静期已届满";
const CLOSING: &str = "申请发给离婚证的期间即将届满";

#[tokio::test]
async fn each_reminder_is_sent_once_to_both_contacts_and_a_withdrawn_application_gets_none() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (v, emails) = received(&desk, 11).await;
    let (w, withdrawn) = received(&desk, 12).await;
    let resp = desk
        .divorce_step(
            w["reference"].as_str().unwrap(),
            "withdrawal",
            json!({"party": 1}),
        )
        .await;
    assert_eq!(resp.status(), 200);

    // During the cooling-off: nothing is due.
    assert_eq!(another_round(&app), 0);

    move_to(&app, date(&v, "issue_from"));
    eventually("the window-open reminder to both parties", || {
        emails.iter().all(|e| subjects(&app, e, OPEN) == 1)
    })
    .await;
    let text = &app.mails_to(&emails[0])[0].text;
    assert!(text.contains(v["reference"].as_str().unwrap()));
    assert!(text.contains(&date(&v, "issue_until").format("%Y年%m月%d日").to_string()));
    // The rounds go on, another instance's too: still once.
    assert_eq!(another_round(&app), 0);
    assert_eq!(audit_count(&app, "divorce.reminded"), 1);

    let days = app.context.as_ref().unwrap().divorce_reminder_days;
    let closing_day = date(&v, "issue_until") - chrono::Duration::days(i64::from(days));
    move_to(&app, closing_day.max(clock_today(&app)));
    eventually("the window-closing reminder to both parties", || {
        emails.iter().all(|e| subjects(&app, e, CLOSING) == 1)
    })
    .await;
    assert_eq!(another_round(&app), 0);
    assert_eq!(audit_count(&app, "divorce.reminded"), 2);
    for e in &emails {
        assert_eq!(subjects(&app, e, OPEN), 1);
    }
    // The withdrawn application's parties were told nothing.
    for e in &withdrawn {
        assert!(app.mails_to(e).is_empty(), "no reminder after withdrawal");
    }
}

#[tokio::test]
async fn rounds_racing_on_one_database_queue_a_reminder_once() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (v, emails) = received(&desk, 13).await;
    // Both due at once: the window open and (with the window's last day) closing.
    move_to(&app, date(&v, "issue_until"));
    let app = std::sync::Arc::new(app);
    let rounds: Vec<_> = (0..4)
        .map(|_| {
            let app = app.clone();
            std::thread::spawn(move || another_round(&app))
        })
        .collect();
    let mut total: usize = rounds.into_iter().map(|t| t.join().unwrap()).sum();
    eventually("both reminders delivered", || {
        emails
            .iter()
            .all(|e| subjects(&app, e, OPEN) == 1 && subjects(&app, e, CLOSING) == 1)
    })
    .await;
    total += another_round(&app);
    assert!(
        total <= 2,
        "at most the two reminders by these rounds, got {total}"
    );
    assert_eq!(audit_count(&app, "divorce.reminded"), 2);
    for e in &emails {
        assert_eq!(subjects(&app, e, OPEN), 1);
        assert_eq!(subjects(&app, e, CLOSING), 1);
    }
}

#[tokio::test]
async fn a_round_that_read_the_due_reminders_before_another_sent_them_sends_nothing() {
    // The sweep's own rounds stay out of the way: the instance's clock stays in the
    // cooling-off, while the two rounds here read the day of the issue window's last day.
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (v, emails) = received(&desk, 14).await;
    let day = date(&v, "issue_until");
    let (mut a, mut b) = (app.connect(), app.connect());
    // During the cooling-off nothing is due, however early the closing reminder is set.
    let cooling = date(&v, "cooling_off_ends");
    let early = lib::divorce_app::due_reminders(&mut a, cooling, u32::MAX).unwrap();
    let sent = lib::divorce_app::send_reminders(&mut a, &early, lib::clock::now()).unwrap();
    assert_eq!(sent, 0);
    // Both rounds read before either writes (two instances at the same moment).
    let first = lib::divorce_app::due_reminders(&mut a, day, 5).unwrap();
    let second = lib::divorce_app::due_reminders(&mut b, day, 5).unwrap();
    let now = lib::clock::now();
    assert_eq!(
        lib::divorce_app::send_reminders(&mut a, &first, now).unwrap(),
        2
    );
    assert_eq!(
        lib::divorce_app::send_reminders(&mut b, &second, now).unwrap(),
        0
    );
    eventually("both reminders delivered", || {
        emails
            .iter()
            .all(|e| subjects(&app, e, OPEN) == 1 && subjects(&app, e, CLOSING) == 1)
    })
    .await;
    assert_eq!(audit_count(&app, "divorce.reminded"), 2);
}

//! Two registrars racing on one marriage (issue 18): two receipts of the same certificate at
//! once, and two issues of the same application at once. The database's guards (the partial
//! unique index on open applications, the conditional close, the office's counter) let exactly
//! one through; the other is a stable 409, and nothing half-written remains.

use serde_json::Value;

use crate::support::divorce::{
    date, divorce_count, last_serial, move_to, receive_body, spawn_divorce_app,
};
use crate::support::{audit_count, nth_person, problem, Counter};

const OFFICE: &str = "sz-gusu";

#[tokio::test]
async fn two_receipts_of_one_marriage_at_once_let_exactly_one_through() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let other = Counter::open(&app, "sz-huqiu").await;
    let number = desk.registered(21).await;
    let (man, woman) = (nth_person(21, true), nth_person(21, false));
    let body = receive_body(
        &[(&man, "王强", "320508"), (&woman, "李娜", "320508")],
        &number,
    );
    let (a, b) = tokio::join!(
        desk.receive_divorce(body.clone()),
        other.receive_divorce(body.clone())
    );
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![201, 409]);
    let loser = if a.status() == 409 { a } else { b };
    assert_eq!(problem(loser).await["code"], "divorce_already_received");
    assert_eq!(divorce_count(&app), 1);
    assert_eq!(audit_count(&app, "divorce.received"), 1);
}

#[tokio::test]
async fn two_issues_of_one_application_at_once_give_one_number() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let second = Counter::open(&app, OFFICE).await;
    let number = desk.registered(22).await;
    let (man, woman) = (nth_person(22, true), nth_person(22, false));
    let body = receive_body(
        &[(&man, "王强", "320508"), (&woman, "李娜", "320508")],
        &number,
    );
    let resp = desk.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    let reference = v["reference"].as_str().unwrap().to_owned();
    move_to(&app, date(&v, "issue_from"));
    let (a, b) = tokio::join!(
        desk.issue_divorce(&reference),
        second.issue_divorce(&reference)
    );
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    let loser = if a.status() == 201 { b } else { a };
    let p = problem(loser).await;
    assert_eq!(statuses, vec![201, 409], "{p}");
    assert_eq!(p["code"], "invalid_transition");
    assert_eq!(p["current_status"], "issued");
    assert_eq!(
        last_serial(&app, OFFICE, "L"),
        Some(1),
        "a rolled-back number is given back"
    );
    assert_eq!(audit_count(&app, "divorce.issued"), 1);
}

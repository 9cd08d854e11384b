//! Divorces in the statistics (issue 18): received, withdrawn, issued, refused, each on its own
//! day, and the mean days from receipt to issue; the daily rollup answers the same as the facts.

use serde_json::{json, Value};

use crate::statistics_rollup::assert_exact;
use crate::support::divorce::{date, move_to, receive_body, spawn_divorce_app};
use crate::support::lib::statistics;
use crate::support::statistics::json_of;
use crate::support::{nth_person, Counter};

const OFFICE: &str = "sz-gusu";

/// Receives the divorce of couple `n`, married at the office: the receipt.
async fn received(desk: &Counter<'_>, n: u32) -> Value {
    let number = desk.registered(n).await;
    let (man, woman) = (nth_person(n, true), nth_person(n, false));
    let body = receive_body(
        &[(&man, "王强", "320508"), (&woman, "李娜", "320508")],
        &number,
    );
    let resp = desk.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn divorces_are_counted_on_their_days_with_the_mean_days_to_issue() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (a, b, c) = (
        received(&desk, 31).await,
        received(&desk, 32).await,
        received(&desk, 33).await,
    );
    let reference = |v: &Value| v["reference"].as_str().unwrap().to_owned();
    let resp = desk
        .divorce_step(&reference(&a), "withdrawal", json!({"party": 0}))
        .await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let resp = desk
        .divorce_step(
            &reference(&c),
            "refusal",
            json!({"reason_code": "no_complete_agreement", "note": "财产未协商一致"}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let received_on = date(&b, "received_on");
    let issue_from = date(&b, "issue_from");
    move_to(&app, issue_from);
    assert_eq!(desk.issue_divorce(&reference(&b)).await.status(), 201);

    let auditor = app.auditor(OFFICE).await;
    let range = format!("?from={received_on}&to={issue_from}");
    let v = json_of(&app, &auditor, &range).await;
    let t = &v["total"];
    assert_eq!(t["divorces_received"], 3, "{t}");
    assert_eq!(t["divorces_withdrawn"], 1, "{t}");
    assert_eq!(t["divorces_refused"], 1, "{t}");
    assert_eq!(t["divorces_issued"], 1, "{t}");
    assert_eq!(t["divorces_lapsed"], 0, "{t}");
    let days = (issue_from - received_on).num_days() as f64;
    let mean = t["divorce_mean_days_to_issue"].as_f64().unwrap();
    assert!((mean - days).abs() < 0.01, "{mean} against {days}");
    // The issue counts on its own day, the receipts on theirs.
    let by_day = json_of(&app, &auditor, &format!("{range}&group_by=day")).await;
    let day = |d: chrono::NaiveDate| {
        by_day["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == d.to_string().as_str())
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(day(issue_from)["divorces_issued"], 1);
    assert_eq!(day(received_on)["divorces_received"], 3);

    // Rolled up, the days answer the same.
    let mut conn = app.connect();
    let after = issue_from + chrono::Duration::days(1);
    assert!(statistics::catch_up(&mut conn, "32", after, 1000).unwrap() >= 1);
    assert_exact(&mut conn, "32", received_on, issue_from);
}

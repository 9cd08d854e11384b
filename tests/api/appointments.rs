//! A booked appointment: the manage token, reschedule, cancel, and the no-show sweep.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{move_slot, nth_couple, problem, reference_and_token, spawn_app, TestApp};

const OFFICE: &str = "sz-gusu";

/// The ids of the first two slots.
fn first_two(slots: &[Value]) -> (&str, &str) {
    (
        slots[0]["id"].as_str().unwrap(),
        slots[1]["id"].as_str().unwrap(),
    )
}

async fn booked(app: &TestApp, slot: &str, n: u32) -> Value {
    app.booked(OFFICE, slot, nth_couple(n)).await
}

#[tokio::test]
async fn the_manage_token_opens_the_appointment_and_nothing_else_does() {
    let app = spawn_app().await;
    let v = booked(&app, &app.first_slot(OFFICE).await, 2).await;
    let (r, t) = reference_and_token(&v);
    let ok = app.view_appointment(r, Some(t)).await;
    assert_eq!(ok.status(), 200);
    let shown: Value = ok.json().await.unwrap();
    assert_eq!(shown["reference"], r);
    assert!(
        shown.get("manage_token").is_none(),
        "the token is returned once only"
    );
    for token in [None, Some("wrong"), Some(&"0".repeat(64)[..])] {
        let resp = app.view_appointment(r, token).await;
        assert_eq!(resp.status(), 404, "{token:?}");
        assert_eq!(problem(resp).await["code"], "not_found");
    }
    let unknown = app.view_appointment("AP-000000", Some(t)).await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn reschedule_moves_the_seat_and_cancel_frees_it_and_the_people() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    let (a, b) = first_two(&slots);
    let v = booked(&app, a, 9).await;
    let (r, t) = reference_and_token(&v);

    let moved = app.reschedule(r, t, b).await;
    assert_eq!(moved.status(), 200);
    assert_eq!(moved.json::<Value>().await.unwrap()["slot"]["id"], b);
    assert_eq!(
        (
            app.remaining(OFFICE, a).await,
            app.remaining(OFFICE, b).await
        ),
        (10, 9)
    );

    let wrong = app
        .appointment(Method::PATCH, r, Some("nope"))
        .json(&json!({"slot_id": a}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);

    let cancelled = app.cancel(r, t).await;
    assert_eq!(cancelled.status(), 200);
    assert_eq!(
        cancelled.json::<Value>().await.unwrap()["status"],
        "cancelled"
    );
    assert_eq!(app.remaining(OFFICE, b).await, 10);

    let again = app.cancel(r, t).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["code"], "appointment_closed");
    let patch_closed = app.reschedule(r, t, a).await;
    assert_eq!(patch_closed.status(), 409);

    // Both people may book again.
    booked(&app, a, 9).await;
}

#[tokio::test]
async fn rescheduling_into_a_full_slot_is_409_and_keeps_the_old_seat() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    let (a, b) = first_two(&slots);
    for n in 500..510 {
        booked(&app, b, n).await;
    }
    let v = booked(&app, a, 520).await;
    let (r, t) = reference_and_token(&v);
    let resp = app.reschedule(r, t, b).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "slot_full");
    assert_eq!(
        (
            app.remaining(OFFICE, a).await,
            app.remaining(OFFICE, b).await
        ),
        (9, 0)
    );
}

#[tokio::test]
async fn an_ended_slot_without_check_in_becomes_no_show_and_frees_the_people() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    let (a, b) = first_two(&slots);
    let v = booked(&app, a, 600).await;
    let (r, t) = reference_and_token(&v);
    // Arrange: the slot ended long ago.
    let long_ago = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    move_slot(&app, a, long_ago, long_ago + chrono::Duration::minutes(30));
    let mut status = Value::Null;
    for _ in 0..100 {
        let shown: Value = app.view_appointment(r, Some(t)).await.json().await.unwrap();
        status = shown["status"].clone();
        if status == "no_show" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "no_show");
    booked(&app, b, 600).await;
}

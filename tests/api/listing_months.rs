//! A month of slots is computed once per office and weekly rule and kept; only the seat counts
//! are read per request. The answer must stay what a fresh computation gives, across a rule
//! changed through another instance and seats taken through it.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{nth_couple, spawn_app_on, spawn_app_with, TestApp};

const OFFICE: &str = "sz-gusu";

/// An instance without the HTTP listing cache: every answer goes through the month cache.
fn uncached(app: &TestApp) -> TestApp {
    spawn_app_on(app.db.clone(), app.db.url(), |s| {
        s.booking.listing_cache_ms = 0
    })
}

async fn listing(app: &TestApp) -> String {
    let resp = app.get(&format!("/v1/offices/{OFFICE}/slots")).await;
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

#[tokio::test]
async fn a_kept_month_answers_what_a_fresh_instance_computes_across_rule_changes_and_seats() {
    let a = spawn_app_with(|s| s.booking.listing_cache_ms = 0);
    let first = listing(&a).await;
    assert_eq!(listing(&a).await, first, "the kept month, byte for byte");
    let b = uncached(&a);
    assert_eq!(
        listing(&b).await,
        first,
        "a fresh instance computes the same"
    );

    // Seats taken through B show at once in A's kept month.
    let slots: Value = serde_json::from_str(&first).unwrap();
    let slot = slots["slots"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(b.book(OFFICE, &slot, nth_couple(1)).await.status(), 201);
    let after_booking = listing(&a).await;
    assert_ne!(after_booking, first);
    let v: Value = serde_json::from_str(&after_booking).unwrap();
    assert_eq!(v["slots"][0]["id"], slot.as_str());
    assert_eq!(v["slots"][0]["remaining"], 9);
    assert_eq!(listing(&uncached(&a)).await, after_booking);

    // The rule changed through B: A, which kept the old month, answers the new rule at once.
    let chief = b.supervisor(OFFICE).await;
    let rule = json!({"weekdays": ["tue", "sat"], "periods": ["09:00-11:00"], "slot_minutes": 60, "capacity": 4});
    let path = format!("/v1/registrar/offices/{OFFICE}/schedule");
    let resp = b
        .authed(Method::PUT, &path, &chief)
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let changed = listing(&a).await;
    assert_ne!(changed, after_booking);
    assert_eq!(listing(&uncached(&a)).await, changed, "as a fresh instance");
    let v: Value = serde_json::from_str(&changed).unwrap();
    assert!(v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["end"].as_str().unwrap()[14..16] == s["start"].as_str().unwrap()[14..16]));

    // And back: the old rule's month again, seats included.
    let back = json!({"weekdays": ["mon", "tue", "wed", "thu", "fri"], "periods": ["09:00-12:00", "13:30-17:00"], "slot_minutes": 30, "capacity": 10});
    let resp = b
        .authed(Method::PUT, &path, &chief)
        .json(&back)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let restored = listing(&a).await;
    assert_eq!(restored, listing(&uncached(&a)).await);
}

#[tokio::test]
async fn the_booking_answer_is_what_the_stored_appointment_shows() {
    let app = spawn_app_with(|_| {});
    let slot = app.first_slot(OFFICE).await;
    let resp = app.book(OFFICE, &slot, nth_couple(7)).await;
    assert_eq!(resp.status(), 201);
    let mut booked: Value = resp.json().await.unwrap();
    let token = booked["manage_token"].as_str().unwrap().to_owned();
    let reference = booked["reference"].as_str().unwrap().to_owned();
    let stored: Value = app
        .view_appointment(&reference, Some(&token))
        .await
        .json()
        .await
        .unwrap();
    booked.as_object_mut().unwrap().remove("manage_token");
    assert_eq!(booked, stored, "the answer is built without reading back");
}

//! Slots and appointments: listing, booking, capacity under concurrency, one active appointment
//! per person, reschedule, cancel, and the manage token.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{nth_couple, nth_person, party, problem, spawn_app, TestApp};

const OFFICE: &str = "sz-gusu";

async fn first_slot(app: &TestApp) -> String {
    app.slots(OFFICE).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The ids of the first two slots.
fn first_two(slots: &[Value]) -> (&str, &str) {
    (
        slots[0]["id"].as_str().unwrap(),
        slots[1]["id"].as_str().unwrap(),
    )
}

/// Reference and manage token of a booking answer.
fn keys(v: &Value) -> (&str, &str) {
    (
        v["reference"].as_str().unwrap(),
        v["manage_token"].as_str().unwrap(),
    )
}

async fn booked(app: &TestApp, slot: &str, n: u32) -> Value {
    let resp = app.book(OFFICE, slot, nth_couple(n)).await;
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn slots_have_ids_times_in_shanghai_and_full_capacity() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    assert!(!slots.is_empty());
    let s = &slots[0];
    assert!(s["id"].as_str().unwrap().starts_with("sz-gusu."));
    assert!(s["start"].as_str().unwrap().ends_with("+08:00"));
    assert!(s["end"].as_str().unwrap().ends_with("+08:00"));
    assert_eq!(s["capacity"], 10);
    assert_eq!(s["remaining"], 10);
}

#[tokio::test]
async fn slot_listing_refuses_bad_ranges_and_unknown_offices() {
    let app = spawn_app().await;
    for (q, code) in [
        ("from=2026-13-01", "invalid_date"),
        ("from=2026-12-10&to=2026-12-01", "invalid_range"),
        ("from=2026-12-01&to=2027-03-01", "range_too_long"),
    ] {
        let resp = app.get(&format!("/v1/offices/{OFFICE}/slots?{q}")).await;
        assert_eq!(resp.status(), 400, "{q}");
        assert_eq!(
            problem(resp).await["invalid_params"][0]["code"],
            code,
            "{q}"
        );
    }
    let resp = app.get("/v1/offices/nowhere/slots").await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn no_slot_falls_on_a_public_holiday() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    for s in &slots {
        let day = &s["start"].as_str().unwrap()[..10];
        assert!(
            !["2027-01-01", "2026-12-05", "2026-12-06"].contains(&day),
            "{day} is a holiday or weekend"
        );
    }
}

#[tokio::test]
async fn booking_returns_reference_token_documents_and_takes_a_seat() {
    let app = spawn_app().await;
    let slot = first_slot(&app).await;
    let resp = app.book(OFFICE, &slot, nth_couple(1)).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let v: Value = resp.json().await.unwrap();
    let reference = v["reference"].as_str().unwrap();
    assert!(
        reference.starts_with("AP-") && reference.len() == 9,
        "{reference}"
    );
    assert_eq!(v["manage_token"].as_str().unwrap().len(), 64);
    assert_eq!(v["status"], "booked");
    assert_eq!(v["office"]["id"], OFFICE);
    assert_eq!(v["slot"]["id"], slot.as_str());
    assert!(v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "id_card"));
    // ID numbers come back masked only.
    let text = v.to_string();
    assert!(!text.contains(&nth_person(1, true)));
    assert_eq!(
        v["parties"][0]["id_number_masked"].as_str().unwrap().len(),
        18
    );
    assert_eq!(app.remaining(OFFICE, &slot).await, 9);
}

#[tokio::test]
async fn the_manage_token_opens_the_appointment_and_nothing_else_does() {
    let app = spawn_app().await;
    let v = booked(&app, &first_slot(&app).await, 2).await;
    let (r, t) = keys(&v);
    let ok = app
        .appointment(Method::GET, r, Some(t))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let shown: Value = ok.json().await.unwrap();
    assert_eq!(shown["reference"], r);
    assert!(
        shown.get("manage_token").is_none(),
        "the token is returned once only"
    );
    for token in [None, Some("wrong"), Some(&"0".repeat(64)[..])] {
        let resp = app.appointment(Method::GET, r, token).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{token:?}");
        assert_eq!(problem(resp).await["code"], "not_found");
    }
    let unknown = app
        .appointment(Method::GET, "AP-000000", Some(t))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_second_active_appointment_for_a_person_is_409_already_booked() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    booked(&app, slots[0]["id"].as_str().unwrap(), 3).await;
    // The same man with another partner, another slot.
    let parties = json!([
        party(&nth_person(3, true), "王强", "320508", None),
        party(&nth_person(4, false), "赵敏", "320508", None),
    ]);
    let slot = slots[1]["id"].as_str().unwrap();
    let resp = app.book(OFFICE, slot, parties).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "already_booked");
    assert_eq!(
        app.remaining(OFFICE, slot).await,
        10,
        "the seat was given back"
    );
}

#[tokio::test]
async fn ineligible_couples_get_422_with_the_problems() {
    let app = spawn_app().await;
    let slot = first_slot(&app).await;
    let two_men = json!([
        party(&nth_person(5, true), "王强", "320508", None),
        party(&nth_person(6, true), "张伟", "320508", None),
    ]);
    let resp = app.book(OFFICE, &slot, two_men).await;
    assert_eq!(resp.status(), 422);
    let p = problem(resp).await;
    assert_eq!(p["code"], "not_eligible");
    assert_eq!(p["problems"][0]["code"], "same_sex");
    assert_eq!(app.remaining(OFFICE, &slot).await, 10);
}

#[tokio::test]
async fn unknown_offices_and_slots_are_404_and_unbookable_slots_422() {
    let app = spawn_app().await;
    let resp = app
        .book("nowhere", "nowhere.20300101T0900", nth_couple(7))
        .await;
    assert_eq!(resp.status(), 404);
    for slot in [
        "sz-gusu.20261205T0900",
        "sz-gusu.garbage",
        "nj-xuanwu.20261201T0900",
    ] {
        let resp = app.book(OFFICE, slot, nth_couple(7)).await;
        assert_eq!(
            resp.status(),
            404,
            "{slot}: a weekend, a malformed id, another office"
        );
    }
    // A weekday slot in the past, and one beyond the booking window.
    for slot in ["sz-gusu.20250303T0900", "sz-gusu.20400305T0900"] {
        let resp = app.book(OFFICE, slot, nth_couple(7)).await;
        assert_eq!(resp.status(), 422, "{slot}");
        assert_eq!(problem(resp).await["code"], "slot_not_bookable");
    }
}

#[tokio::test]
async fn bad_booking_fields_are_400_naming_them() {
    let app = spawn_app().await;
    let slot = first_slot(&app).await;
    let body = json!({"office_id": OFFICE, "slot_id": slot, "parties": nth_couple(8),
                      "contact": {"email": "not-an-email", "phone": "call me"}});
    let resp = app.post_json("/v1/appointments", &body).await;
    assert_eq!(resp.status(), 400);
    let p = problem(resp).await;
    let names: Vec<&str> = p["invalid_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["contact.email", "contact.phone"]);
    let body = json!({"office_id": OFFICE, "slot_id": slot, "parties": nth_couple(8)});
    let resp = app.post_json("/v1/appointments", &body).await;
    assert_eq!(problem(resp).await["invalid_params"][0]["name"], "contact");
}

/// 100 distinct couples race for one slot of capacity 10: exactly 10 seats are sold.
#[tokio::test]
async fn one_hundred_concurrent_bookings_for_ten_seats_sell_exactly_ten() {
    let app = spawn_app().await;
    let slot = first_slot(&app).await;
    let results = join_all((100..200).map(|n| app.book(OFFICE, &slot, nth_couple(n)))).await;
    let mut created = 0;
    let mut full = 0;
    for resp in results {
        match resp.status().as_u16() {
            201 => created += 1,
            409 => {
                assert_eq!(problem(resp).await["code"], "slot_full");
                full += 1;
            }
            other => panic!("unexpected {other}: {}", resp.text().await.unwrap()),
        }
    }
    assert_eq!((created, full), (10, 90));
    assert_eq!(app.remaining(OFFICE, &slot).await, 0);
}

/// 20 bookings naming the same man race on 20 different slots: exactly one succeeds.
#[tokio::test]
async fn twenty_concurrent_bookings_of_one_person_give_one_appointment() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    let man = nth_person(300, true);
    let app = &app;
    let requests = (0..20u32).map(|i| {
        let parties = json!([
            party(&man, "王强", "320508", None),
            party(&nth_person(400 + i, false), "李娜", "320508", None),
        ]);
        let slot = slots[i as usize]["id"].as_str().unwrap().to_owned();
        async move { app.book(OFFICE, &slot, parties).await }
    });
    let results = join_all(requests).await;
    let mut created = 0;
    for resp in results {
        match resp.status().as_u16() {
            201 => created += 1,
            409 => assert_eq!(problem(resp).await["code"], "already_booked"),
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created, 1);
    let total: i64 = app.slots(OFFICE).await[..20]
        .iter()
        .map(|s| 10 - s["remaining"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 1, "failed bookings gave their seats back");
}

#[tokio::test]
async fn reschedule_moves_the_seat_and_cancel_frees_it_and_the_people() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    let (a, b) = first_two(&slots);
    let v = booked(&app, a, 9).await;
    let (r, t) = keys(&v);

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

    let cancelled = app
        .appointment(Method::DELETE, r, Some(t))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);
    assert_eq!(
        cancelled.json::<Value>().await.unwrap()["status"],
        "cancelled"
    );
    assert_eq!(app.remaining(OFFICE, b).await, 10);

    let again = app
        .appointment(Method::DELETE, r, Some(t))
        .send()
        .await
        .unwrap();
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
    let (r, t) = keys(&v);
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
    use diesel::connection::SimpleConnection;
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    let (a, b) = first_two(&slots);
    let v = booked(&app, a, 600).await;
    let (r, t) = keys(&v);
    // Arrange: the slot ended long ago.
    app.connect()
        .batch_execute(&format!(
            "UPDATE slots SET starts_at = '2000-01-01 00:00:00', ends_at = '2000-01-01 00:30:00' \
             WHERE id = '{a}'"
        ))
        .unwrap();
    let mut status = Value::Null;
    for _ in 0..100 {
        let shown: Value = app
            .appointment(Method::GET, r, Some(t))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        status = shown["status"].clone();
        if status == "no_show" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "no_show");
    booked(&app, b, 600).await;
}

#[tokio::test]
async fn too_many_posts_from_one_address_get_429_with_retry_after() {
    let db = std::sync::Arc::new(crate::helpers::TestDb::create());
    let app = crate::helpers::spawn_app_on(db.clone(), db.url(), |s| {
        s.rate_limit.per_minute = 2;
        s.rate_limit.burst = 2;
    });
    let body = json!({"parties": nth_couple(700)});
    for _ in 0..2 {
        assert_eq!(app.post_eligibility(&body).await.status(), 200);
    }
    let resp = app.post_eligibility(&body).await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert_eq!(problem(resp).await["code"], "too_many_requests");
    // Bookings have their own bucket; reads are not limited.
    let slot = first_slot(&app).await;
    assert_eq!(app.book(OFFICE, &slot, nth_couple(701)).await.status(), 201);
    assert_eq!(app.get("/v1/offices").await.status(), 200);
}

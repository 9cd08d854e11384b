//! Booking: the answer (a hold awaiting both confirmations), one active appointment per person
//! under concurrency, ineligible couples, unknown and unbookable slots, bad fields, capacity
//! under concurrency, and the rate limit. Confirmation itself: `confirmation.rs`.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::support::{
    fresh_emails, nth_couple, nth_person, party, problem, spawn_app, spawn_app_with,
};

const OFFICE: &str = "sz-gusu";

#[tokio::test]
async fn booking_returns_reference_token_documents_and_takes_a_seat() {
    let app = spawn_app().await;
    let slot = app.first_slot(OFFICE).await;
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
    assert_eq!(
        v["status"], "pending_confirmation",
        "held until both confirm"
    );
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
    assert_eq!(
        app.remaining(OFFICE, &slot).await,
        9,
        "the hold keeps its seat"
    );
}

#[tokio::test]
async fn ineligible_couples_get_422_with_the_problems() {
    let app = spawn_app().await;
    let slot = app.first_slot(OFFICE).await;
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
    let slot = app.first_slot(OFFICE).await;
    let body = json!({"office_id": OFFICE, "slot_id": slot, "parties": nth_couple(8),
                      "contact": {"emails": ["not-an-email", "b@example.com"], "phone": "call me"}});
    let resp = app.post_json("/v1/appointments", &body).await;
    assert_eq!(resp.status(), 400);
    let p = problem(resp).await;
    let names: Vec<&str> = p["invalid_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["contact.emails[0]", "contact.phone"]);
    // One email for both parties: each party gives their own (the old single `email` is gone:
    // one mailbox confirming for both would not be both parties confirming).
    for (contact, name) in [
        (
            json!({"emails": ["x@example.com", " X@example.com"]}),
            "contact.emails[1]",
        ),
        (json!({"emails": ["x@example.com"]}), "contact.emails"),
        (json!({"email": "x@example.com"}), "contact.email"),
    ] {
        let body = json!({"office_id": OFFICE, "slot_id": slot, "parties": nth_couple(8),
                          "contact": contact});
        let resp = app.post_json("/v1/appointments", &body).await;
        assert_eq!(resp.status(), 400, "{contact}");
        let p = problem(resp).await;
        assert_eq!(p["invalid_params"][0]["name"], name, "{p}");
    }
    let body = json!({"office_id": OFFICE, "slot_id": slot, "parties": nth_couple(8)});
    let resp = app.post_json("/v1/appointments", &body).await;
    assert_eq!(problem(resp).await["invalid_params"][0]["name"], "contact");
}

/// 100 distinct couples race for one slot of capacity 10: exactly 10 seats are sold.
#[tokio::test]
async fn one_hundred_concurrent_bookings_for_ten_seats_sell_exactly_ten() {
    let app = spawn_app().await;
    let slot = app.first_slot(OFFICE).await;
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

/// 20 bookings naming the same man race on 20 different slots: all are held (a hold never
/// blocks a person), then all 40 confirmations race: exactly one booking stands, the others
/// were released by the later confirmations, and only its seat stays taken.
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
        async move {
            let emails = fresh_emails();
            let resp = app
                .book_with(OFFICE, &slot, parties, [&emails[0], &emails[1]])
                .await;
            assert_eq!(resp.status(), 201);
            let v: Value = resp.json().await.unwrap();
            (v, emails)
        }
    });
    let held = join_all(requests).await;
    let mut tokens = Vec::new();
    for (_, emails) in &held {
        for e in emails {
            tokens.push(app.confirmation_token(e).await);
        }
    }
    let answers = join_all(tokens.iter().map(|t| app.confirm(t))).await;
    for resp in answers {
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    }
    let mut booked = 0;
    for (v, _) in &held {
        let r = app
            .view_appointment(v["reference"].as_str().unwrap(), v["manage_token"].as_str())
            .await;
        let shown: Value = r.json().await.unwrap();
        match shown["status"].as_str().unwrap() {
            "booked" => booked += 1,
            "superseded" => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(booked, 1);
    let total: i64 = app.slots(OFFICE).await[..20]
        .iter()
        .map(|s| 10 - s["remaining"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 1, "released bookings gave their seats back");
}

#[tokio::test]
async fn too_many_posts_from_one_address_get_429_with_retry_after() {
    let app = spawn_app_with(|s| {
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
    let slot = app.first_slot(OFFICE).await;
    assert_eq!(app.book(OFFICE, &slot, nth_couple(701)).await.status(), 201);
    assert_eq!(app.get("/v1/offices").await.status(), 200);
}

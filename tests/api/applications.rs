//! The registrar's day: the queue, reading an application (audited), check-in, walk-ins.

use diesel::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::lib::schema;
use crate::support::{
    application_path, audit_count, audit_details, nth_couple, nth_person, party, problem,
    spawn_app, Counter, TestApp,
};

const OFFICE: &str = "sz-gusu";

async fn queue(desk: &Counter<'_>) -> Value {
    let resp = desk
        .get(&format!("/v1/registrar/offices/{OFFICE}/queue"))
        .await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

async fn booked_today(app: &TestApp, n: u32) -> String {
    app.booked_today(OFFICE, nth_couple(n)).await
}

#[tokio::test]
async fn the_queue_lists_todays_applications_masked_and_the_read_is_audited() {
    let app = spawn_app().await;
    let reference = booked_today(&app, 1).await;
    let desk = Counter::open(&app, OFFICE).await;
    let q = queue(&desk).await;
    let items = q["applications"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["reference"], reference.as_str());
    assert_eq!(items[0]["status"], "booked");
    assert_eq!(items[0]["walk_in"], false);
    assert!(
        !q.to_string().contains(&nth_person(1, true)),
        "masked in the queue"
    );
    assert_eq!(audit_count(&app, "queue.read"), 1);
}

#[tokio::test]
async fn reading_an_application_shows_full_id_numbers_and_is_audited() {
    let app = spawn_app().await;
    let reference = booked_today(&app, 2).await;
    let desk = Counter::open(&app, OFFICE).await;
    let resp = desk.get_application(&reference).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["parties"][0]["id_number"], nth_person(2, true).as_str());
    assert_eq!(v["parties"][0]["hukou_division_code"], "320508");
    assert_eq!(audit_count(&app, "application.read"), 1);
    // The checklist of the day's period (婚姻登记条例 2025修订: no 户口簿): each party's ID card
    // and declaration, the joint photos.
    let docs: Vec<(&str, Value)> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["party"].clone()))
        .collect();
    assert_eq!(
        docs,
        vec![
            ("id_card", json!(0)),
            ("declaration", json!(0)),
            ("id_card", json!(1)),
            ("declaration", json!(1)),
            ("joint_photos", Value::Null),
        ]
    );
}

#[tokio::test]
async fn check_in_happens_once_and_only_on_the_day() {
    let app = spawn_app().await;
    let today = booked_today(&app, 3).await;
    let desk = Counter::open(&app, OFFICE).await;
    let first = desk.check_in(&today).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.json::<Value>().await.unwrap()["status"], "checked_in");
    let again = desk.check_in(&today).await;
    assert_eq!(again.status(), 409);
    let p = problem(again).await;
    assert_eq!(p["code"], "invalid_transition");
    assert_eq!(p["current_status"], "checked_in");

    // A booking for another day.
    let later = app.slots(OFFICE).await.last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app.booked(OFFICE, &later, nth_couple(4)).await;
    let resp = desk.check_in(other["reference"].as_str().unwrap()).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "not_today");
}

#[tokio::test]
async fn other_offices_and_auditors_are_refused() {
    let app = spawn_app().await;
    let reference = booked_today(&app, 5).await;
    let elsewhere = Counter::open(&app, "nj-xuanwu").await;
    let resp = elsewhere.check_in(&reference).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_office");
    let resp = elsewhere
        .get(&format!("/v1/registrar/offices/{OFFICE}/queue"))
        .await;
    assert_eq!(resp.status(), 403);
    // Reading another office's application is refused, and the attempt is in the trail of
    // both offices (one event each).
    assert_eq!(audit_count(&app, "application.read_refused"), 0);
    let resp = elsewhere.get(&application_path(&reference)).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(audit_count(&app, "application.read_refused"), 2);
    assert_eq!(audit_count(&app, "application.read"), 0, "nothing was read");

    let auditor = Counter::new(&app, &app.auditor(OFFICE).await, OFFICE);
    let resp = auditor.check_in(&reference).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_role");
}

#[tokio::test]
async fn a_walk_in_starts_checked_in_and_joins_the_queue() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let resp = desk.try_walk_in(nth_couple(6)).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "checked_in");
    assert_eq!(v["walk_in"], true);
    let q = queue(&desk).await;
    assert_eq!(q["applications"][0]["reference"], v["reference"]);

    // The same man again: one active application per person.
    let again = json!([
        party(&nth_person(6, true), "王强", "320508", None),
        party(&nth_person(7, false), "赵敏", "320508", None),
    ]);
    let resp = desk.try_walk_in(again).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "already_booked");
    // The refusal told the counter something about these people: an audited read.
    let refused = audit_details(&app, "application.walk_in_refused");
    assert_eq!(refused.len(), 1, "{refused:?}");
    let masked = |id: &str| format!("{}********{}", &id[..6], &id[14..]);
    assert_eq!(refused[0]["party_0"], masked(&nth_person(6, true)).as_str());
    assert_eq!(
        refused[0]["party_1"],
        masked(&nth_person(7, false)).as_str()
    );

    // Two women: not eligible.
    let two_women = json!([
        party(&nth_person(8, false), "李娜", "320508", None),
        party(&nth_person(9, false), "赵敏", "320508", None),
    ]);
    let resp = desk.try_walk_in(two_women).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["problems"][0]["code"], "same_sex");
}

/// An audit event names the actor's role and the request that caused it.
#[tokio::test]
async fn audit_events_carry_the_role_and_the_request_id() {
    let app = spawn_app().await;
    let reference = booked_today(&app, 20).await;
    let desk = Counter::open(&app, OFFICE).await;
    let resp = desk
        .request(
            Method::POST,
            &format!("{}/check-in", application_path(&reference)),
        )
        .header("x-request-id", "desk-7-0001")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    use schema::audit_events::dsl;
    let (role, request): (Option<String>, Option<String>) = dsl::audit_events
        .filter(dsl::action.eq("application.checked_in"))
        .select((dsl::actor_role, dsl::request_id))
        .first(&mut app.connect())
        .unwrap();
    assert_eq!(role.as_deref(), Some("registrar"));
    assert_eq!(request.as_deref(), Some("desk-7-0001"));
}

#[tokio::test]
async fn a_supervisor_sets_the_weekly_rule_and_new_slots_follow_it() {
    let app = spawn_app().await;
    let chief = app.supervisor(OFFICE).await;
    let path = format!("/v1/registrar/offices/{OFFICE}/schedule");
    let put = |token: &str, rule: &Value| app.authed(Method::PUT, &path, token).json(rule).send();
    let current: Value = app.get_authed(&path, &chief).await.json().await.unwrap();
    assert_eq!(
        current["weekdays"],
        json!(["mon", "tue", "wed", "thu", "fri"])
    );

    let rule = json!({"weekdays": ["tue", "sat"], "periods": ["09:00-11:00"], "slot_minutes": 60, "capacity": 4});
    let resp = put(&chief, &rule).await.unwrap();
    assert_eq!(resp.status(), 200);
    let slots = app.slots(OFFICE).await;
    assert!(!slots.is_empty());
    for s in &slots {
        assert_eq!(s["capacity"], 4);
        let start = chrono::DateTime::parse_from_rfc3339(s["start"].as_str().unwrap()).unwrap();
        let day = chrono::Datelike::weekday(&start.date_naive());
        assert!(
            matches!(day, chrono::Weekday::Tue | chrono::Weekday::Sat)
                || s["start"].as_str().unwrap().contains("-05-20")
                || s["start"].as_str().unwrap().contains("-02-14"),
            "{s}"
        );
    }

    let registrar = app.registrar(OFFICE).await;
    let resp = put(&registrar, &rule).await.unwrap();
    assert_eq!(resp.status(), 403);
    let bad = json!({"weekdays": ["someday"], "periods": ["11:00-09:00"], "slot_minutes": 30, "capacity": 4});
    let resp = put(&chief, &bad).await.unwrap();
    assert_eq!(resp.status(), 400);
    let codes: Vec<String> = problem(resp).await["invalid_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, vec!["invalid_weekday", "invalid_period"]);
    let overlapping = json!({"weekdays": ["mon"], "periods": ["09:00-12:00", "11:00-13:00"], "slot_minutes": 30, "capacity": 4});
    let resp = put(&chief, &overlapping).await.unwrap();
    assert_eq!(
        problem(resp).await["invalid_params"][0]["code"],
        "invalid_schedule"
    );
}

#[tokio::test]
async fn a_walk_in_contact_is_checked_like_a_bookings() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let path = format!("/v1/registrar/offices/{OFFICE}/walk-ins");
    let long = format!("{}@example.com", "a".repeat(300));
    for (contact, field, code) in [
        (
            json!({"email": "x\"@example.com"}),
            "contact.email",
            "invalid_email",
        ),
        (json!({"email": long}), "contact.email", "invalid_email"),
        (
            json!({"phone": "call me"}),
            "contact.phone",
            "invalid_phone",
        ),
    ] {
        let body = json!({"parties": nth_couple(11), "contact": contact});
        let resp = desk.post(&path, body).await;
        assert_eq!(resp.status(), 400, "{contact}");
        let p = problem(resp).await;
        assert_eq!(p["invalid_params"][0]["name"], field, "{p}");
        assert_eq!(p["invalid_params"][0]["code"], code, "{p}");
    }
    assert_eq!(
        audit_count(&app, "application.walk_in"),
        0,
        "nothing written"
    );
    let body =
        json!({"parties": nth_couple(11), "contact": {"email": " a@example.com ", "phone": ""}});
    assert_eq!(desk.post(&path, body).await.status(), 201);
}

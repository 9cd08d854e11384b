//! The registrar's day: the queue, reading an application (audited), check-in, walk-ins.

use diesel::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{nth_couple, nth_person, party, problem, slot_today, spawn_app, TestApp};

const OFFICE: &str = "sz-gusu";

/// Books a couple and moves its slot to start in a minute, so it is today's.
pub async fn booked_today(app: &TestApp, n: u32) -> String {
    let slot = app.slots(OFFICE).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = app.book(OFFICE, &slot, nth_couple(n)).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    slot_today(app, &slot);
    v["reference"].as_str().unwrap().to_owned()
}

fn audit_count(app: &TestApp, action: &str) -> i64 {
    use hunyin::schema::audit_events::dsl;
    dsl::audit_events
        .filter(dsl::action.eq(action))
        .count()
        .get_result(&mut app.connect())
        .unwrap()
}

async fn queue(app: &TestApp, token: &str) -> Value {
    let resp = app
        .authed(
            Method::GET,
            &format!("/v1/registrar/offices/{OFFICE}/queue"),
            token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn the_queue_lists_todays_applications_masked_and_the_read_is_audited() {
    let app = spawn_app().await;
    let reference = booked_today(&app, 1).await;
    let token = app.registrar(OFFICE).await;
    let q = queue(&app, &token).await;
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
    let token = app.registrar(OFFICE).await;
    let resp = app
        .authed(
            Method::GET,
            &format!("/v1/registrar/applications/{reference}"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["parties"][0]["id_number"], nth_person(2, true).as_str());
    assert_eq!(v["parties"][0]["hukou_division_code"], "320508");
    assert_eq!(audit_count(&app, "application.read"), 1);
}

#[tokio::test]
async fn check_in_happens_once_and_only_on_the_day() {
    let app = spawn_app().await;
    let today = booked_today(&app, 3).await;
    let token = app.registrar(OFFICE).await;
    let path = format!("/v1/registrar/applications/{today}/check-in");
    let first = app
        .authed(Method::POST, &path, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.json::<Value>().await.unwrap()["status"], "checked_in");
    let again = app
        .authed(Method::POST, &path, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let p = problem(again).await;
    assert_eq!(p["code"], "invalid_transition");
    assert_eq!(p["current_status"], "checked_in");

    // A booking for another day.
    let later = app.slots(OFFICE).await.last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = app.book(OFFICE, &later, nth_couple(4)).await;
    let other: Value = resp.json().await.unwrap();
    let path = format!(
        "/v1/registrar/applications/{}/check-in",
        other["reference"].as_str().unwrap()
    );
    let resp = app
        .authed(Method::POST, &path, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "not_today");
}

#[tokio::test]
async fn other_offices_and_auditors_are_refused() {
    let app = spawn_app().await;
    let reference = booked_today(&app, 5).await;
    let elsewhere = app.registrar("nj-xuanwu").await;
    let path = format!("/v1/registrar/applications/{reference}/check-in");
    let resp = app
        .authed(Method::POST, &path, &elsewhere)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_office");
    let resp = app
        .authed(
            Method::GET,
            &format!("/v1/registrar/offices/{OFFICE}/queue"),
            &elsewhere,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    app.add_staff(OFFICE, "auditor", "audit.zhou", "auditor-password");
    let auditor = app.sign_in("audit.zhou", "auditor-password").await;
    let resp = app
        .authed(Method::POST, &path, &auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_role");
}

#[tokio::test]
async fn a_walk_in_starts_checked_in_and_joins_the_queue() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let path = format!("/v1/registrar/offices/{OFFICE}/walk-ins");
    let resp = app
        .authed(Method::POST, &path, &token)
        .json(&json!({"parties": nth_couple(6)}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "checked_in");
    assert_eq!(v["walk_in"], true);
    let q = queue(&app, &token).await;
    assert_eq!(q["applications"][0]["reference"], v["reference"]);

    // The same man again: one active application per person.
    let again = json!({"parties": [
        party(&nth_person(6, true), "王强", "320508", None),
        party(&nth_person(7, false), "赵敏", "320508", None),
    ]});
    let resp = app
        .authed(Method::POST, &path, &token)
        .json(&again)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "already_booked");

    // Two women: not eligible.
    let two_women = json!({"parties": [
        party(&nth_person(8, false), "李娜", "320508", None),
        party(&nth_person(9, false), "赵敏", "320508", None),
    ]});
    let resp = app
        .authed(Method::POST, &path, &token)
        .json(&two_women)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["problems"][0]["code"], "same_sex");
}

/// An audit event names the actor's role and the request that caused it.
#[tokio::test]
async fn audit_events_carry_the_role_and_the_request_id() {
    let app = spawn_app().await;
    let reference = booked_today(&app, 20).await;
    let token = app.registrar(OFFICE).await;
    let resp = app
        .authed(
            Method::POST,
            &format!("/v1/registrar/applications/{reference}/check-in"),
            &token,
        )
        .header("x-request-id", "desk-7-0001")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    use hunyin::schema::audit_events::dsl;
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
    app.add_staff(OFFICE, "supervisor", "chief.lin", "supervisor-password");
    let chief = app.sign_in("chief.lin", "supervisor-password").await;
    let path = format!("/v1/registrar/offices/{OFFICE}/schedule");
    let current: Value = app
        .authed(Method::GET, &path, &chief)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        current["weekdays"],
        json!(["mon", "tue", "wed", "thu", "fri"])
    );

    let rule = json!({"weekdays": ["tue", "sat"], "periods": ["09:00-11:00"], "slot_minutes": 60, "capacity": 4});
    let resp = app
        .authed(Method::PUT, &path, &chief)
        .json(&rule)
        .send()
        .await
        .unwrap();
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
    let resp = app
        .authed(Method::PUT, &path, &registrar)
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let bad = json!({"weekdays": ["someday"], "periods": ["11:00-09:00"], "slot_minutes": 30, "capacity": 4});
    let resp = app
        .authed(Method::PUT, &path, &chief)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let codes: Vec<String> = problem(resp).await["invalid_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, vec!["invalid_weekday", "invalid_period"]);
    let overlapping = json!({"weekdays": ["mon"], "periods": ["09:00-12:00", "11:00-13:00"], "slot_minutes": 30, "capacity": 4});
    let resp = app
        .authed(Method::PUT, &path, &chief)
        .json(&overlapping)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(resp).await["invalid_params"][0]["code"],
        "invalid_schedule"
    );
}

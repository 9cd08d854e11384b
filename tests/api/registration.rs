//! Declarations, registration with gapless certificate numbers, refusals and their notices.

use chrono::Datelike;
use diesel::prelude::*;
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{add_residents, nth_couple, nth_person, problem, spawn_app, TestApp};

const OFFICE: &str = "sz-gusu";

pub fn year() -> i32 {
    (chrono::Utc::now() + chrono::Duration::hours(8)).year()
}

fn number(serial: u32) -> String {
    format!("J320508-{}-{serial:06}", year())
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.authed(Method::POST, path, token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A walk-in couple `n` of local residents, checked in, not yet checked or declared.
async fn walk_in(app: &TestApp, token: &str, n: u32) -> String {
    add_residents(
        app,
        &[
            (&nth_person(n, true), "王强", "unmarried"),
            (&nth_person(n, false), "李娜", "unmarried"),
        ],
    );
    let resp = post(
        app,
        token,
        &format!("/v1/registrar/offices/{OFFICE}/walk-ins"),
        json!({"parties": nth_couple(n)}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    resp.json::<Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn checks(app: &TestApp, token: &str, r: &str) {
    let resp = app
        .authed(
            Method::POST,
            &format!("/v1/registrar/applications/{r}/household-checks"),
            token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

async fn declare_both(app: &TestApp, token: &str, r: &str) {
    for party in 0..2 {
        let body = json!({"party": party, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": true});
        let resp = post(
            app,
            token,
            &format!("/v1/registrar/applications/{r}/declarations"),
            body,
        )
        .await;
        assert_eq!(resp.status(), 201);
    }
}

/// Couple `n`, checked and declared: ready to register.
pub async fn ready(app: &TestApp, token: &str, n: u32) -> String {
    let r = walk_in(app, token, n).await;
    checks(app, token, &r).await;
    declare_both(app, token, &r).await;
    r
}

pub async fn register(app: &TestApp, token: &str, r: &str) -> reqwest::Response {
    post(
        app,
        token,
        &format!("/v1/registrar/applications/{r}/registration"),
        json!({"both_parties_present": true}),
    )
    .await
}

fn certificates(app: &TestApp) -> i64 {
    use hunyin::schema::certificates::dsl;
    dsl::certificates
        .count()
        .get_result(&mut app.connect())
        .unwrap()
}

#[tokio::test]
async fn the_whole_walk_issues_gapless_numbers_and_marks_residents_married() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    // A booked couple, checked in on the day (see applications.rs for the same arrangement).
    let first = ready(&app, &token, 1).await;
    let resp = register(&app, &token, &first).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["certificate_number"], number(1).as_str());
    assert_eq!(v["status"], "registered");
    let second = ready(&app, &token, 2).await;
    let v: Value = register(&app, &token, &second).await.json().await.unwrap();
    assert_eq!(v["certificate_number"], number(2).as_str());

    // The register now says married: the same woman cannot pass a check again.
    let again = {
        let parties = json!([
            crate::helpers::party(&nth_person(50, true), "张伟", "320508", None),
            crate::helpers::party(&nth_person(1, false), "李娜", "320508", None),
        ]);
        add_residents(&app, &[(&nth_person(50, true), "张伟", "unmarried")]);
        let resp = post(
            &app,
            &token,
            &format!("/v1/registrar/offices/{OFFICE}/walk-ins"),
            json!({"parties": parties}),
        )
        .await;
        assert_eq!(
            resp.status(),
            201,
            "the application itself is free to start"
        );
        resp.json::<Value>().await.unwrap()["reference"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let resp = app
        .authed(
            Method::POST,
            &format!("/v1/registrar/applications/{again}/household-checks"),
            &token,
        )
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["checks"][1]["reason"], "married");
    let resp = register(&app, &token, &again).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "checks_incomplete");
}

#[tokio::test]
async fn registration_is_refused_until_every_precondition_holds() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let r = walk_in(&app, &token, 3).await;
    let resp = register(&app, &token, &r).await;
    assert_eq!(problem(resp).await["code"], "checks_incomplete");
    checks(&app, &token, &r).await;
    let resp = register(&app, &token, &r).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "declarations_missing");
    declare_both(&app, &token, &r).await;
    let absent = post(
        &app,
        &token,
        &format!("/v1/registrar/applications/{r}/registration"),
        json!({"both_parties_present": false}),
    )
    .await;
    assert_eq!(absent.status(), 422);
    assert_eq!(problem(absent).await["code"], "parties_not_present");
    assert_eq!(register(&app, &token, &r).await.status(), 201);
    let twice = register(&app, &token, &r).await;
    assert_eq!(twice.status(), 409);
    let p = problem(twice).await;
    assert_eq!(
        (p["code"].as_str(), p["current_status"].as_str()),
        (Some("invalid_transition"), Some("registered"))
    );
    assert_eq!(certificates(&app), 1);
}

#[tokio::test]
async fn declarations_must_affirm_everything_and_happen_once() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let r = walk_in(&app, &token, 4).await;
    let path = format!("/v1/registrar/applications/{r}/declarations");
    let unwilling =
        json!({"party": 0, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": false});
    let resp = post(&app, &token, &path, unwilling).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["code"], "declaration_incomplete");
    let ok =
        json!({"party": 0, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": true});
    assert_eq!(post(&app, &token, &path, ok.clone()).await.status(), 201);
    let resp = post(&app, &token, &path, ok).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "already_declared");
}

#[tokio::test]
async fn a_retried_registration_with_the_same_key_gets_the_same_number() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let r = ready(&app, &token, 5).await;
    let path = format!("/v1/registrar/applications/{r}/registration");
    let send = || {
        app.authed(Method::POST, &path, &token)
            .header("idempotency-key", "retry-1")
            .json(&json!({"both_parties_present": true}))
            .send()
    };
    let a: Value = send().await.unwrap().json().await.unwrap();
    let resp = send().await.unwrap();
    assert_eq!(resp.status(), 201);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(a["certificate_number"], b["certificate_number"]);
    assert_eq!(certificates(&app), 1);
    // The key cannot be reused for another application.
    let other = ready(&app, &token, 6).await;
    let resp = app
        .authed(
            Method::POST,
            &format!("/v1/registrar/applications/{other}/registration"),
            &token,
        )
        .header("idempotency-key", "retry-1")
        .json(&json!({"both_parties_present": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["code"], "idempotency_key_reused");
}

/// 50 registrations at once at one office: 50 distinct numbers, 1 to 50, no gap.
#[tokio::test]
async fn fifty_concurrent_registrations_get_fifty_gapless_numbers() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let mut refs = Vec::new();
    for n in 100..150 {
        refs.push(ready(&app, &token, n).await);
    }
    let results = join_all(refs.iter().map(|r| register(&app, &token, r))).await;
    let mut numbers = Vec::new();
    for resp in results {
        assert_eq!(resp.status(), 201);
        let v: Value = resp.json().await.unwrap();
        numbers.push(v["certificate_number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=50).map(number).collect();
    assert_eq!(numbers, expected);
}

/// Two registrars press the button on the same application at once: one number, one 409.
#[tokio::test]
async fn two_registrars_registering_one_application_produce_one_number() {
    let app = spawn_app().await;
    let a = app.registrar(OFFICE).await;
    let b = app.registrar(OFFICE).await;
    let r = ready(&app, &a, 7).await;
    let (x, y) = tokio::join!(register(&app, &a, &r), register(&app, &b, &r));
    let mut statuses = [x.status().as_u16(), y.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(certificates(&app), 1);
}

#[tokio::test]
async fn every_refusal_reason_gives_a_written_notice() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let reasons = [
        ("under_age", "未到法定结婚年龄"),
        ("not_voluntary", "非双方自愿"),
        ("already_married", "已有配偶"),
        ("prohibited_kinship", "旁系血亲"),
        ("no_jurisdiction", "无管辖权"),
        ("documents_inconsistent", "不一致"),
    ];
    for (i, (code, words)) in reasons.iter().enumerate() {
        let r = walk_in(&app, &token, 200 + i as u32).await;
        let path = format!("/v1/registrar/applications/{r}/refusal");
        let resp = post(
            &app,
            &token,
            &path,
            json!({"reason_code": code, "note": "审查发现的情况"}),
        )
        .await;
        assert_eq!(resp.status(), 201, "{code}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["status"], "refused");
        let text = v["notice_text"].as_str().unwrap();
        assert!(text.starts_with("不予办理结婚登记通知单"), "{text}");
        assert!(text.contains(words), "{code}: {text}");
        assert!(v["basis"].as_str().unwrap().contains("婚姻登记条例"));
        let notice = app.authed(Method::GET, &path, &token).send().await.unwrap();
        assert_eq!(notice.status(), 200);
        let again = post(
            &app,
            &token,
            &path,
            json!({"reason_code": code, "note": "x"}),
        )
        .await;
        assert_eq!(again.status(), 409, "refused once");
        let reg = register(&app, &token, &r).await;
        assert_eq!(problem(reg).await["current_status"], "refused");
    }
    let r = walk_in(&app, &token, 300).await;
    let bad = post(
        &app,
        &token,
        &format!("/v1/registrar/applications/{r}/refusal"),
        json!({"reason_code": "ugly", "note": ""}),
    )
    .await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        problem(bad).await["invalid_params"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let none = app
        .authed(
            Method::GET,
            &format!("/v1/registrar/applications/{r}/refusal"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 404);
}

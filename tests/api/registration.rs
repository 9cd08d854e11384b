//! Declarations, registration with gapless certificate numbers, refusals and their notices.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{
    add_residents, application_path, audit_count, certificate_count, certificate_number,
    nth_person, party, problem, spawn_app, Counter,
};

const OFFICE: &str = "sz-gusu";

fn number(serial: u32) -> String {
    certificate_number("J320508", serial)
}

#[tokio::test]
async fn the_whole_walk_issues_gapless_numbers_and_marks_residents_married() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let first = desk.ready(1).await;
    let resp = desk.register(&first).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["certificate_number"], number(1).as_str());
    assert_eq!(v["status"], "registered");
    let second = desk.ready(2).await;
    let v: Value = desk.register(&second).await.json().await.unwrap();
    assert_eq!(v["certificate_number"], number(2).as_str());

    // The register now says married: the same woman cannot pass a check again.
    let parties = json!([
        party(&nth_person(50, true), "张伟", "320508", None),
        party(&nth_person(1, false), "李娜", "320508", None),
    ]);
    add_residents(&app, &[(&nth_person(50, true), "张伟", "unmarried")]);
    let resp = desk.try_walk_in(parties).await;
    assert_eq!(
        resp.status(),
        201,
        "the application itself is free to start"
    );
    let again = resp.json::<Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let v: Value = desk.try_run_checks(&again).await.json().await.unwrap();
    assert_eq!(v["checks"][1]["reason"], "married");
    let resp = desk.register(&again).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "checks_incomplete");
}

#[tokio::test]
async fn registration_is_refused_until_every_precondition_holds() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let r = desk.walk_in_residents(3).await;
    let resp = desk.register(&r).await;
    assert_eq!(problem(resp).await["code"], "checks_incomplete");
    desk.run_checks(&r).await;
    let resp = desk.register(&r).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "declarations_missing");
    desk.declare_both(&r).await;
    let absent = desk
        .post(
            &format!("{}/registration", application_path(&r)),
            json!({"both_parties_present": false}),
        )
        .await;
    assert_eq!(absent.status(), 422);
    assert_eq!(problem(absent).await["code"], "parties_not_present");
    assert_eq!(desk.register(&r).await.status(), 201);
    let twice = desk.register(&r).await;
    assert_eq!(twice.status(), 409);
    let p = problem(twice).await;
    assert_eq!(
        (p["code"].as_str(), p["current_status"].as_str()),
        (Some("invalid_transition"), Some("registered"))
    );
    assert_eq!(certificate_count(&app), 1);
}

#[tokio::test]
async fn declarations_must_affirm_everything_and_happen_once() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let r = desk.walk_in_residents(4).await;
    let unwilling =
        json!({"party": 0, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": false});
    let resp = desk.declare_as(&r, unwilling).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["code"], "declaration_incomplete");
    assert_eq!(desk.declare(&r, 0).await.status(), 201);
    let resp = desk.declare(&r, 0).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "already_declared");
}

#[tokio::test]
async fn a_retried_registration_with_the_same_key_gets_the_same_number() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let with_key = |r: &str| {
        desk.request(
            Method::POST,
            &format!("{}/registration", application_path(r)),
        )
        .header("idempotency-key", "retry-1")
        .json(&json!({"both_parties_present": true}))
        .send()
    };
    let r = desk.ready(5).await;
    let a: Value = with_key(&r).await.unwrap().json().await.unwrap();
    let resp = with_key(&r).await.unwrap();
    assert_eq!(resp.status(), 201);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(a["certificate_number"], b["certificate_number"]);
    assert_eq!(certificate_count(&app), 1);
    // The key cannot be reused for another application.
    let other = desk.ready(6).await;
    let resp = with_key(&other).await.unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["code"], "idempotency_key_reused");
}

/// 50 registrations at once at one office: 50 distinct numbers, 1 to 50, no gap.
#[tokio::test]
async fn fifty_concurrent_registrations_get_fifty_gapless_numbers() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let mut refs = Vec::new();
    for n in 100..150 {
        refs.push(desk.ready(n).await);
    }
    let results = join_all(refs.iter().map(|r| desk.register(r))).await;
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
    let a = Counter::open(&app, OFFICE).await;
    let b = Counter::open(&app, OFFICE).await;
    let r = a.ready(7).await;
    let (x, y) = tokio::join!(a.register(&r), b.register(&r));
    let mut statuses = [x.status().as_u16(), y.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(certificate_count(&app), 1);
}

#[tokio::test]
async fn every_refusal_reason_gives_a_written_notice() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let reasons = [
        ("under_age", "未到法定结婚年龄"),
        ("not_voluntary", "非双方自愿"),
        ("already_married", "已有配偶"),
        ("prohibited_kinship", "旁系血亲"),
        ("no_jurisdiction", "无管辖权"),
        ("documents_inconsistent", "不一致"),
    ];
    for (i, (code, words)) in reasons.iter().enumerate() {
        let r = desk.walk_in_residents(200 + i as u32).await;
        let resp = desk.refuse(&r, code, "审查发现的情况").await;
        assert_eq!(resp.status(), 201, "{code}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["status"], "refused");
        let text = v["notice_text"].as_str().unwrap();
        assert!(text.starts_with("不予办理结婚登记通知单"), "{text}");
        assert!(text.contains(words), "{code}: {text}");
        assert!(v["basis"].as_str().unwrap().contains("婚姻登记条例"));
        let reads = audit_count(&app, "refusal.notice_read");
        let notice = desk.get(&format!("{}/refusal", application_path(&r))).await;
        assert_eq!(notice.status(), 200);
        // The notice names both parties: its read is in the trail.
        assert_eq!(audit_count(&app, "refusal.notice_read"), reads + 1);
        let again = desk.refuse(&r, code, "x").await;
        assert_eq!(again.status(), 409, "refused once");
        let reg = desk.register(&r).await;
        assert_eq!(problem(reg).await["current_status"], "refused");
    }
    let r = desk.walk_in_residents(300).await;
    let bad = desk.refuse(&r, "ugly", "").await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        problem(bad).await["invalid_params"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let none = desk.get(&format!("{}/refusal", application_path(&r))).await;
    assert_eq!(none.status(), 404);
}

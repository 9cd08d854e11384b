//! Registration itself holds the line: it reads the records again in its own transaction,
//! wants fresh checks, and a database guard lets one person be registered married once, even
//! when two offices press the button at the same instant; a partner's revocation undoes only
//! the marriage it names.

use serde_json::{json, Value};

use crate::support::partner::{Jiangsu, ALL_OPS, UNREACHABLE};
use crate::support::{
    add_resident, age_checks, couple, free_parties, id_number, marital_status, nth_person, problem,
    set_marital_status, spawn_app, spawn_app_with, Counter,
};

const NOTE: &str = "户口簿首页及本人页，婚姻状况 未婚";

#[tokio::test]
async fn registration_refuses_a_party_the_register_shows_married_since_the_checks() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, "sz-gusu").await;
    let r = desk.ready(40).await;
    set_marital_status(&app, &nth_person(40, false), "married");
    let resp = desk.register(&r).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "party_married");
}

#[tokio::test]
async fn checks_older_than_the_configured_age_must_be_run_again() {
    let app = spawn_app_with(|s| s.checks.max_age_minutes = 60);
    let desk = Counter::open(&app, "sz-gusu").await;
    let r = desk.ready(41).await;
    age_checks(&app, &r);
    let resp = desk.register(&r).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "checks_expired");
    desk.run_checks(&r).await;
    assert_eq!(desk.register(&r).await.status(), 201);
}

/// A man from a region without an instance, cleared by hand, with woman `n`.
async fn manual_couple(desk: &Counter<'_>, man: &str, n: u32) -> String {
    let woman = nth_person(n, false);
    add_resident(desk.app, &woman, "李娜", "320508", "unmarried");
    let r = desk.walk_in(couple(man, "610113", &woman, "320508")).await;
    desk.run_checks(&r).await;
    let resp = desk.verify_manually(&r, 0, "unmarried", NOTE).await;
    assert_eq!(resp.status(), 201);
    desk.declare_both(&r).await;
    r
}

#[tokio::test]
async fn a_person_registered_here_is_never_cleared_again() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, "sz-gusu").await;
    let man = id_number("610113", "19890909", true);
    let first = manual_couple(&desk, &man, 42).await;
    assert_eq!(desk.register(&first).await.status(), 201);

    let woman = nth_person(43, false);
    add_resident(&app, &woman, "李娜", "320508", "unmarried");
    let second = desk.walk_in(couple(&man, "610113", &woman, "320508")).await;
    let v = desk.run_checks(&second).await;
    assert_eq!(v["checks"][0]["outcome"], "failed", "{v}");
    assert_eq!(v["checks"][0]["reason"], "married");
    let resp = desk.verify_manually(&second, 0, "unmarried", NOTE).await;
    assert_eq!(resp.status(), 409);
}

#[tokio::test]
async fn two_applications_for_one_person_never_both_register_even_at_the_same_instant() {
    let app = spawn_app_with(|s| s.database.max_connections = 6);
    for round in 0..3u32 {
        let man = id_number("610113", &format!("1985010{}", round + 1), true);
        let (gusu, huqiu) = (
            Counter::open(&app, "sz-gusu").await,
            Counter::open(&app, "sz-huqiu").await,
        );
        let a = manual_couple(&gusu, &man, 50 + round * 2).await;
        free_parties(&app, &a);
        let b = manual_couple(&huqiu, &man, 51 + round * 2).await;
        let (ra, rb) = tokio::join!(gusu.register(&a), huqiu.register(&b));
        let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {round}");
        let refused = if ra.status() == 409 { ra } else { rb };
        assert_eq!(problem(refused).await["code"], "already_married");
    }
}

/// A notification from 河南 about resident `id`.
fn notice(event: &str, kind: &str, number: &str, id: &str) -> Value {
    json!({"event_id": event, "type": kind, "certificate_number": number,
        "registered_at": "2026-05-20T01:00:00Z",
        "office": {"id": "zz-jinshui", "name": "金水区婚姻登记处", "division_code": "410105"},
        "parties": [{"id_number": id, "name": "李娜"}]})
}

#[tokio::test]
async fn a_revocation_restores_only_the_marriage_of_that_certificate() {
    let js = Jiangsu::knowing_henan(UNREACHABLE, &ALL_OPS);
    let woman = nth_person(60, false);
    add_resident(&js.app, &woman, "李娜", "320508", "unmarried");
    let path = "/v1/partner/notifications";
    let married = notice("e1", "marriage_registered", "J410105-2026-000001", &woman);
    let resp = js.forge(path, Some(married)).send(&js.app).await;
    assert_eq!(resp.status(), 202);
    assert_eq!(marital_status(&js.app, &woman), "married");

    // A revocation of another certificate leaves her marriage alone.
    let other = notice("e2", "registration_revoked", "J410105-2026-000999", &woman);
    let resp = js.forge(path, Some(other)).send(&js.app).await;
    assert_eq!(resp.status(), 202);
    assert_eq!(resp.json::<Value>().await.unwrap()["applied"], 0);
    assert_eq!(marital_status(&js.app, &woman), "married");

    let this = notice("e3", "registration_revoked", "J410105-2026-000001", &woman);
    let resp = js.forge(path, Some(this)).send(&js.app).await;
    assert_eq!(resp.json::<Value>().await.unwrap()["applied"], 1);
    assert_eq!(marital_status(&js.app, &woman), "unmarried");
}

//! Certificate lookup, reissue and revocation; the audit trail search.

use reqwest::Response;
use serde_json::{json, Value};

use crate::support::{
    add_resident, add_residents, application_path, certificate_number, couple, marital_status,
    nth_couple, nth_person, problem, set_marital_status, spawn_app, Counter,
};

const OFFICE: &str = "sz-gusu";

fn certificate_path(number: &str, step: &str) -> String {
    format!("/v1/registrar/certificates/{number}{step}")
}

async fn lookup(desk: &Counter<'_>, number: &str) -> Response {
    desk.get(&certificate_path(number, "")).await
}

async fn reissue(desk: &Counter<'_>, number: &str) -> Response {
    let body = json!({"note": "女方申请补领，原证遗失"});
    desk.post(&certificate_path(number, "/reissue"), body).await
}

async fn revoke(desk: &Counter<'_>, number: &str, basis: &str) -> Response {
    let body = json!({"basis": basis, "document_reference": "(2026)苏0508民初123号"});
    desk.post(&certificate_path(number, "/revocation"), body)
        .await
}

/// A supervisor's desk at the office.
async fn supervisor<'a>(desk: &Counter<'a>) -> Counter<'a> {
    Counter::new(desk.app, &desk.app.supervisor(OFFICE).await, OFFICE)
}

#[tokio::test]
async fn lookup_reissue_and_revocation_keep_the_history() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let number = desk.registered(1).await;

    let v: Value = lookup(&desk, &number).await.json().await.unwrap();
    assert_eq!(v["status"], "valid");
    assert_eq!(v["kind"], "J");

    let resp = reissue(&desk, &number).await;
    assert_eq!(resp.status(), 201);
    let bj: Value = resp.json().await.unwrap();
    let bj_number = bj["certificate_number"].as_str().unwrap().to_owned();
    assert_eq!(bj_number, certificate_number("BJ320508", 1));
    assert_eq!(bj["supersedes"], number.as_str());
    let old: Value = lookup(&desk, &number).await.json().await.unwrap();
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["superseded_by"], bj_number.as_str());
    let again = reissue(&desk, &number).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["current_status"], "superseded");

    // Revocation: supervisors only, with a basis and a document.
    let resp = revoke(&desk, &bj_number, "court_judgment").await;
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_role");
    let chief = supervisor(&desk).await;
    let resp = revoke(&chief, &bj_number, "rumour").await;
    assert_eq!(resp.status(), 400);
    let resp = revoke(&chief, &bj_number, "court_judgment").await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "revoked");
    assert_eq!(v["revocation"]["basis"], "court_judgment");
    assert_eq!(
        v["revocation"]["document_reference"],
        "(2026)苏0508民初123号"
    );
    let resp = revoke(&chief, &bj_number, "police_finding").await;
    assert_eq!(resp.status(), 409);
    let resp = reissue(&desk, &bj_number).await;
    assert_eq!(problem(resp).await["current_status"], "revoked");
    // Nothing was deleted.
    assert_eq!(lookup(&desk, &number).await.status(), 200);
}

#[tokio::test]
async fn malformed_and_unknown_numbers() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let resp = lookup(&desk, "J3205-2026-1").await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        problem(resp).await["invalid_params"][0]["code"],
        "invalid_certificate_number"
    );
    let resp = lookup(&desk, "J320508-1999-000001").await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn reissue_needs_the_right_office_and_an_unchanged_marital_status() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let number = desk.registered(2).await;
    let elsewhere = Counter::open(&app, "nj-xuanwu").await;
    let resp = reissue(&elsewhere, &number).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_office");

    // Divorced since: the register no longer shows the marriage.
    set_marital_status(&app, &nth_person(2, false), "divorced");
    let resp = reissue(&desk, &number).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "marital_status_changed");
}

#[tokio::test]
async fn auditors_search_the_trail_by_person_and_registrars_may_not() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    desk.registered(3).await;
    let auditor = Counter::new(&app, &app.auditor(OFFICE).await, OFFICE);
    let path = "/v1/registrar/audit-events/search";
    let resp = auditor
        .post(path, json!({"id_number": nth_person(3, true)}))
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    let actions: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "application.walk_in",
        "household.checked",
        "declaration.recorded",
        "registration.registered",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(
        !v.to_string().contains(&nth_person(3, true)),
        "the trail holds masked numbers only"
    );
    let resp = auditor
        .post(path, json!({"from": "2026-13-01", "limit": 0}))
        .await;
    assert_eq!(resp.status(), 400);
    let resp = desk.post(path, json!({})).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_role");
}

/// The walk on one booked couple: book -> check in -> local checks -> declarations ->
/// register -> lookup -> reissue -> revocation.
#[tokio::test]
async fn the_full_walk_from_booking_to_revocation() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    add_residents(
        &app,
        &[
            (&nth_person(40, true), "王强", "unmarried"),
            (&nth_person(40, false), "李娜", "unmarried"),
        ],
    );
    let r = app.booked_today(OFFICE, nth_couple(40)).await;
    assert_eq!(desk.check_in(&r).await.status(), 200);
    assert_eq!(desk.run_checks(&r).await["cleared"], true);
    let reg: Value = desk.declare_and_register(&r).await.json().await.unwrap();
    let number = reg["certificate_number"].as_str().unwrap().to_owned();
    assert_eq!(number, certificate_number("J320508", 1));
    assert_eq!(lookup(&desk, &number).await.status(), 200);
    let bj: Value = reissue(&desk, &number).await.json().await.unwrap();
    let chief = supervisor(&desk).await;
    let resp = revoke(
        &chief,
        bj["certificate_number"].as_str().unwrap(),
        "procuratorial_recommendation",
    )
    .await;
    assert_eq!(resp.status(), 200);
    // Void from the start: both residents are unmarried in the register again.
    for male in [true, false] {
        assert_eq!(marital_status(&app, &nth_person(40, male)), "unmarried");
    }
    let shown: Value = desk.get(&application_path(&r)).await.json().await.unwrap();
    assert_eq!(shown["status"], "revoked");
}

/// The other side of the office rule: the office of a party's hukou may reissue.
#[tokio::test]
async fn the_office_of_a_partys_hukou_may_reissue() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let (man, woman) = (nth_person(60, true), nth_person(60, false));
    add_residents(&app, &[(&man, "王强", "unmarried")]);
    // Her register entry agrees with the hukou she declares (else `hukou_mismatch`).
    add_resident(&app, &woman, "李娜", "320505", "unmarried");
    let r = desk.walk_in(couple(&man, "320508", &woman, "320505")).await;
    desk.run_checks(&r).await;
    let reg: Value = desk.declare_and_register(&r).await.json().await.unwrap();
    let number = reg["certificate_number"].as_str().unwrap();
    // 虎丘区 (320505) is the woman's hukou office.
    let huqiu = Counter::open(&app, "sz-huqiu").await;
    let resp = reissue(&huqiu, number).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(
        v["certificate_number"],
        certificate_number("BJ320505", 1).as_str()
    );
    assert_eq!(v["office_id"], "sz-huqiu");
}

/// A revoked marriage is void from the start (民法典 第1054条): each resident gets back the
/// status the register held before it, and one whose status changed since is left alone.
#[tokio::test]
async fn revocation_restores_the_previous_status_and_only_while_still_married() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let r = desk.ready(71).await;
    let (man, woman) = (nth_person(71, true), nth_person(71, false));
    set_marital_status(&app, &woman, "divorced");
    let v: Value = desk.register(&r).await.json().await.unwrap();
    let number = v["certificate_number"].as_str().unwrap().to_owned();
    let status = |id: &str| marital_status(&app, id);
    assert_eq!(
        (status(&man), status(&woman)),
        ("married".into(), "married".into())
    );
    // The register changed for him after the registration (a later record): not ours to undo.
    set_marital_status(&app, &man, "widowed");
    let chief = supervisor(&desk).await;
    assert_eq!(
        revoke(&chief, &number, "court_judgment").await.status(),
        200
    );
    assert_eq!(status(&woman), "divorced");
    assert_eq!(status(&man), "widowed");
}

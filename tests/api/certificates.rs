//! Certificate lookup, reissue and revocation; the audit trail search.

use diesel::connection::SimpleConnection;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{nth_person, problem, spawn_app, TestApp};
use crate::registration::{ready, register, year};

const OFFICE: &str = "sz-gusu";

/// A registered couple `n`: its certificate number.
async fn registered(app: &TestApp, token: &str, n: u32) -> String {
    let r = ready(app, token, n).await;
    let v: Value = register(app, token, &r).await.json().await.unwrap();
    v["certificate_number"].as_str().unwrap().to_owned()
}

async fn lookup(app: &TestApp, token: &str, number: &str) -> reqwest::Response {
    app.authed(
        Method::GET,
        &format!("/v1/registrar/certificates/{number}"),
        token,
    )
    .send()
    .await
    .unwrap()
}

async fn reissue(app: &TestApp, token: &str, number: &str) -> reqwest::Response {
    app.authed(
        Method::POST,
        &format!("/v1/registrar/certificates/{number}/reissue"),
        token,
    )
    .json(&json!({"note": "女方申请补领，原证遗失"}))
    .send()
    .await
    .unwrap()
}

async fn revoke(app: &TestApp, token: &str, number: &str, basis: &str) -> reqwest::Response {
    app.authed(
        Method::POST,
        &format!("/v1/registrar/certificates/{number}/revocation"),
        token,
    )
    .json(&json!({"basis": basis, "document_reference": "(2026)苏0508民初123号"}))
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn lookup_reissue_and_revocation_keep_the_history() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let number = registered(&app, &token, 1).await;

    let v: Value = lookup(&app, &token, &number).await.json().await.unwrap();
    assert_eq!(v["status"], "valid");
    assert_eq!(v["kind"], "J");

    let resp = reissue(&app, &token, &number).await;
    assert_eq!(resp.status(), 201);
    let bj: Value = resp.json().await.unwrap();
    let bj_number = bj["certificate_number"].as_str().unwrap().to_owned();
    assert_eq!(bj_number, format!("BJ320508-{}-000001", year()));
    assert_eq!(bj["supersedes"], number.as_str());
    let old: Value = lookup(&app, &token, &number).await.json().await.unwrap();
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["superseded_by"], bj_number.as_str());
    let again = reissue(&app, &token, &number).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["current_status"], "superseded");

    // Revocation: supervisors only, with a basis and a document.
    let resp = revoke(&app, &token, &bj_number, "court_judgment").await;
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_role");
    app.add_staff(OFFICE, "supervisor", "chief.wu", "supervisor-password");
    let chief = app.sign_in("chief.wu", "supervisor-password").await;
    let resp = revoke(&app, &chief, &bj_number, "rumour").await;
    assert_eq!(resp.status(), 400);
    let resp = revoke(&app, &chief, &bj_number, "court_judgment").await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "revoked");
    assert_eq!(v["revocation"]["basis"], "court_judgment");
    assert_eq!(
        v["revocation"]["document_reference"],
        "(2026)苏0508民初123号"
    );
    let resp = revoke(&app, &chief, &bj_number, "police_finding").await;
    assert_eq!(resp.status(), 409);
    let resp = reissue(&app, &token, &bj_number).await;
    assert_eq!(problem(resp).await["current_status"], "revoked");
    // Nothing was deleted.
    assert_eq!(lookup(&app, &token, &number).await.status(), 200);
}

#[tokio::test]
async fn malformed_and_unknown_numbers() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let resp = lookup(&app, &token, "J3205-2026-1").await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        problem(resp).await["invalid_params"][0]["code"],
        "invalid_certificate_number"
    );
    let resp = lookup(&app, &token, "J320508-1999-000001").await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn reissue_needs_the_right_office_and_an_unchanged_marital_status() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let number = registered(&app, &token, 2).await;
    let elsewhere = app.registrar("nj-xuanwu").await;
    let resp = reissue(&app, &elsewhere, &number).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_office");

    // Divorced since: the register no longer shows the marriage.
    app.connect()
        .batch_execute(&format!(
            "UPDATE household_records SET marital_status = 'divorced' WHERE id_number = '{}'",
            nth_person(2, false)
        ))
        .unwrap();
    let resp = reissue(&app, &token, &number).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "marital_status_changed");
}

#[tokio::test]
async fn auditors_search_the_trail_by_person_and_registrars_may_not() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    registered(&app, &token, 3).await;
    app.add_staff(OFFICE, "auditor", "audit.he", "auditor-password");
    let auditor = app.sign_in("audit.he", "auditor-password").await;
    let search = |t: &str, body: Value| {
        app.authed(Method::POST, "/v1/registrar/audit-events/search", t)
            .json(&body)
            .send()
    };
    let resp = search(&auditor, json!({"id_number": nth_person(3, true)}))
        .await
        .unwrap();
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
    let resp = search(&auditor, json!({"from": "2026-13-01", "limit": 0}))
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = search(&token, json!({})).await.unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_role");
}

/// The walk on one booked couple: book -> check in -> local checks -> declarations ->
/// register -> lookup -> reissue -> revocation.
#[tokio::test]
async fn the_full_walk_from_booking_to_revocation() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    crate::helpers::add_residents(
        &app,
        &[
            (&nth_person(40, true), "王强", "unmarried"),
            (&nth_person(40, false), "李娜", "unmarried"),
        ],
    );
    let r = crate::applications::booked_today(&app, 40).await;
    let step = |path: String, body: Value| {
        let req = app.authed(Method::POST, &path, &token).json(&body);
        async move { req.send().await.unwrap() }
    };
    let base = format!("/v1/registrar/applications/{r}");
    assert_eq!(
        step(format!("{base}/check-in"), json!({})).await.status(),
        200
    );
    let checks: Value = step(format!("{base}/household-checks"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(checks["cleared"], true);
    for party in 0..2 {
        let d = json!({"party": party, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": true});
        assert_eq!(step(format!("{base}/declarations"), d).await.status(), 201);
    }
    let reg: Value = step(
        format!("{base}/registration"),
        json!({"both_parties_present": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    let number = reg["certificate_number"].as_str().unwrap().to_owned();
    assert_eq!(number, format!("J320508-{}-000001", year()));
    assert_eq!(lookup(&app, &token, &number).await.status(), 200);
    let bj: Value = reissue(&app, &token, &number).await.json().await.unwrap();
    app.add_staff(OFFICE, "supervisor", "chief.xu", "supervisor-password");
    let chief = app.sign_in("chief.xu", "supervisor-password").await;
    let resp = revoke(
        &app,
        &chief,
        bj["certificate_number"].as_str().unwrap(),
        "procuratorial_recommendation",
    )
    .await;
    assert_eq!(resp.status(), 200);
    // Void from the start: both residents are unmarried in the register again.
    for male in [true, false] {
        let status = crate::partner::marital_status(&app, &nth_person(40, male));
        assert_eq!(status, "unmarried");
    }
    let shown: Value = app
        .authed(Method::GET, &base, &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["status"], "revoked");
}

/// The other side of the office rule: the office of a party's hukou may reissue.
#[tokio::test]
async fn the_office_of_a_partys_hukou_may_reissue() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let (man, woman) = (nth_person(60, true), nth_person(60, false));
    crate::helpers::add_residents(
        &app,
        &[(&man, "王强", "unmarried"), (&woman, "李娜", "unmarried")],
    );
    let parties = json!([
        crate::helpers::party(&man, "王强", "320508", None),
        crate::helpers::party(&woman, "李娜", "320505", None),
    ]);
    let walk: Value = app
        .authed(
            Method::POST,
            &format!("/v1/registrar/offices/{OFFICE}/walk-ins"),
            &token,
        )
        .json(&json!({"parties": parties}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let base = format!(
        "/v1/registrar/applications/{}",
        walk["reference"].as_str().unwrap()
    );
    app.authed(Method::POST, &format!("{base}/household-checks"), &token)
        .send()
        .await
        .unwrap();
    for party in 0..2 {
        let d = json!({"party": party, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": true});
        app.authed(Method::POST, &format!("{base}/declarations"), &token)
            .json(&d)
            .send()
            .await
            .unwrap();
    }
    let reg: Value = register(&app, &token, walk["reference"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    let number = reg["certificate_number"].as_str().unwrap();
    // 虎丘区 (320505) is the woman's hukou office.
    let huqiu = app.registrar("sz-huqiu").await;
    let resp = reissue(&app, &huqiu, number).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(
        v["certificate_number"],
        format!("BJ320505-{}-000001", year()).as_str()
    );
    assert_eq!(v["office_id"], "sz-huqiu");
}

/// A revoked marriage is void from the start (民法典 第1054条): each resident gets back the
/// status the register held before it, and one whose status changed since is left alone.
#[tokio::test]
async fn revocation_restores_the_previous_status_and_only_while_still_married() {
    let app = spawn_app().await;
    let token = app.registrar(OFFICE).await;
    let r = ready(&app, &token, 71).await;
    let (man, woman) = (nth_person(71, true), nth_person(71, false));
    let set = |id: &str, status: &str| {
        app.connect()
            .batch_execute(&format!(
                "UPDATE household_records SET marital_status = '{status}' WHERE id_number = '{id}'"
            ))
            .unwrap();
    };
    set(&woman, "divorced");
    let v: Value = register(&app, &token, &r).await.json().await.unwrap();
    let number = v["certificate_number"].as_str().unwrap().to_owned();
    let status = |id: &str| crate::partner::marital_status(&app, id);
    assert_eq!(
        (status(&man), status(&woman)),
        ("married".into(), "married".into())
    );
    // The register changed for him after the registration (a later record): not ours to undo.
    set(&man, "widowed");
    app.add_staff(OFFICE, "supervisor", "chief.ma", "supervisor-password");
    let chief = app.sign_in("chief.ma", "supervisor-password").await;
    assert_eq!(
        revoke(&app, &chief, &number, "court_judgment")
            .await
            .status(),
        200
    );
    assert_eq!(status(&woman), "divorced");
    assert_eq!(status(&man), "widowed");
}

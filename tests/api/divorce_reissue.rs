//! Reissue of a divorce certificate (补发, issue 18): a `BL` number from the office's own
//! counter, the number before it superseded; a superseded number, another office, a party the
//! register shows remarried, or a marriage certificate's number get a stable refusal.

use serde_json::{json, Value};

use crate::support::divorce::{date, last_serial, move_to, receive_body, spawn_divorce_app};
use crate::support::{audit_count, nth_person, problem, set_marital_status, Counter, TestApp};

const OFFICE: &str = "sz-gusu";

/// Couple `n` married, divorced at the office: (L number, the woman's ID number).
async fn divorced(app: &TestApp, desk: &Counter<'_>, n: u32) -> (String, String) {
    let number = desk.registered(n).await;
    let (man, woman) = (nth_person(n, true), nth_person(n, false));
    let body = receive_body(
        &[(&man, "王强", "320508"), (&woman, "李娜", "320508")],
        &number,
    );
    let resp = desk.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    move_to(app, date(&v, "issue_from"));
    let resp = desk.issue_divorce(v["reference"].as_str().unwrap()).await;
    assert_eq!(resp.status(), 201);
    let issued: Value = resp.json().await.unwrap();
    (
        issued["certificate_number"].as_str().unwrap().to_owned(),
        woman,
    )
}

fn path(number: &str) -> String {
    format!("/v1/registrar/divorce-certificates/{number}/reissue")
}

#[tokio::test]
async fn a_reissue_gives_a_bl_number_and_supersedes_the_one_before() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (l_number, woman) = divorced(&app, &desk, 31).await;
    let body = json!({"party": 1, "note": "女方申请补领，原证遗失"});

    // Only the registering office reissues.
    let other = Counter::open(&app, "sz-huqiu").await;
    let resp = other.post(&path(&l_number), body.clone()).await;
    assert_eq!(problem(resp).await["code"], "forbidden_office");

    let resp = desk.post(&path(&l_number), body.clone()).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    let bl = v["certificate_number"].as_str().unwrap().to_owned();
    assert!(
        bl.starts_with("BL320508-") && bl.ends_with("-000001"),
        "{bl}"
    );
    assert_eq!(v["supersedes"], l_number.as_str());
    assert_eq!(last_serial(&app, OFFICE, "BL"), Some(1));
    assert_eq!(audit_count(&app, "divorce.certificate_reissued"), 1);

    // The superseded L is reissued no more; the BL is.
    let p = problem(desk.post(&path(&l_number), body.clone()).await).await;
    assert_eq!(p["code"], "invalid_transition");
    assert_eq!(p["current_status"], "superseded");
    // A party remarried since: no reissue for her.
    set_marital_status(&app, &woman, "married");
    let p = problem(desk.post(&path(&bl), body.clone()).await).await;
    assert_eq!(p["code"], "marital_status_changed");
    assert_eq!(last_serial(&app, OFFICE, "BL"), Some(1));
    // A marriage certificate's number, an unknown one.
    let resp = desk.post(&path("J320508-2026-000001"), body.clone()).await;
    assert_eq!(resp.status(), 400);
    let resp = desk.post(&path("L320508-2026-999999"), body).await;
    assert_eq!(resp.status(), 404);
}

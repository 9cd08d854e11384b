//! A certificate reissued at a party's hukou office stays the registering office's marriage:
//! only the registering office revokes it, and both offices' trails show the reissue and the
//! revocation (an auditor searches their own office's trail only).

use serde_json::{json, Value};

use crate::support::{
    add_resident, add_residents, couple, nth_person, problem, trail_of_person, Counter, TestApp,
};

const OFFICE: &str = "sz-gusu";
/// 虎丘区 (320505): the woman's hukou office.
const HUKOU_OFFICE: &str = "sz-huqiu";

/// The actions an auditor of `office` finds for person `id`.
async fn actions_seen_by(app: &TestApp, office: &str, id: &str) -> Vec<String> {
    let events = trail_of_person(app, office, id).await;
    events
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn revoke(desk: &Counter<'_>, number: &str) -> reqwest::Response {
    let body = json!({"basis": "court_judgment", "document_reference": "(2026)苏0508民初9号"});
    desk.post(
        &format!("/v1/registrar/certificates/{number}/revocation"),
        body,
    )
    .await
}

#[tokio::test]
async fn only_the_registering_office_revokes_a_certificate_reissued_elsewhere() {
    let app = crate::support::spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let (man, woman) = (nth_person(62, true), nth_person(62, false));
    add_residents(&app, &[(&man, "王强", "unmarried")]);
    add_resident(&app, &woman, "李娜", "320505", "unmarried");
    let r = desk.walk_in(couple(&man, "320508", &woman, "320505")).await;
    desk.run_checks(&r).await;
    let reg: Value = desk.declare_and_register(&r).await.json().await.unwrap();
    let number = reg["certificate_number"].as_str().unwrap().to_owned();

    let huqiu = Counter::new(&app, &app.supervisor(HUKOU_OFFICE).await, HUKOU_OFFICE);
    let body = json!({"note": "女方申请补领，原证遗失"});
    let resp = huqiu
        .post(
            &format!("/v1/registrar/certificates/{number}/reissue"),
            body,
        )
        .await;
    assert_eq!(resp.status(), 201);
    let reissued: Value = resp.json().await.unwrap();
    let bj = reissued["certificate_number"].as_str().unwrap().to_owned();

    // The reissuing office holds the new number but not the marriage: it may not revoke it.
    let resp = revoke(&huqiu, &bj).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_office");
    let shown: Value = desk
        .get(&crate::support::application_path(&r))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["status"], "registered", "nothing was revoked");

    // The registering office sees the reissue in its own trail and revokes.
    let seen = actions_seen_by(&app, OFFICE, &woman).await;
    assert!(seen.iter().any(|a| a == "certificate.reissued"), "{seen:?}");
    let sup = Counter::new(&app, &app.supervisor(OFFICE).await, OFFICE);
    let resp = revoke(&sup, &bj).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "revoked");
    // Both trails tell of the revocation.
    for office in [OFFICE, HUKOU_OFFICE] {
        let seen = actions_seen_by(&app, office, &woman).await;
        assert!(
            seen.iter().any(|a| a == "registration.revoked"),
            "{office}: {seen:?}"
        );
    }
}

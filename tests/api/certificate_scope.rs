//! Who may look a certificate up, and who sees that they did: a registrar reads the
//! certificates of their own office and of the parties' hukou offices; any other read states a
//! purpose, and every read is in the trail of both the reader's and the certificate's office.

use serde_json::Value;

use crate::support::{
    add_resident, audit_count, couple, nth_person, problem, trail_of_person, Counter, TestApp,
};

const OFFICE: &str = "sz-gusu";
const ELSEWHERE: &str = "nj-xuanwu";

fn lookup_path(number: &str, query: &str) -> String {
    format!("/v1/registrar/certificates/{number}{query}")
}

/// The `certificate.read` events an auditor of `office` finds for person `id`.
async fn reads_seen_by(app: &TestApp, office: &str, id: &str) -> Vec<Value> {
    let events = trail_of_person(app, office, id).await;
    events
        .into_iter()
        .filter(|e| e["action"] == "certificate.read")
        .collect()
}

#[tokio::test]
async fn cross_office_certificate_reads_are_seen_by_both_offices() {
    let app = crate::support::spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let number = desk.registered(81).await;
    let other = Counter::open(&app, ELSEWHERE).await;
    let query = "?purpose=court_request&note=case%202026-17";
    let resp = other.get(&lookup_path(&number, query)).await;
    assert_eq!(resp.status(), 200);

    let man = nth_person(81, true);
    for office in [OFFICE, ELSEWHERE] {
        let reads = reads_seen_by(&app, office, &man).await;
        assert_eq!(reads.len(), 1, "{office} sees the read once: {reads:?}");
        let d = &reads[0]["details"];
        assert_eq!(d["certificate"], number.as_str());
        assert_eq!(d["reader_office"], ELSEWHERE);
        assert_eq!(d["certificate_office"], OFFICE);
        assert_eq!(d["scope"], "stated_purpose");
        assert_eq!(d["purpose"], "court_request");
        assert_eq!(d["note"], "case 2026-17");
    }
    // A read at the registering office is one event, in its own trail.
    assert_eq!(desk.get(&lookup_path(&number, "")).await.status(), 200);
    assert_eq!(reads_seen_by(&app, OFFICE, &man).await.len(), 2);
    assert_eq!(reads_seen_by(&app, ELSEWHERE, &man).await.len(), 1);
}

#[tokio::test]
async fn certificate_lookups_stay_in_scope_unless_a_purpose_is_stated() {
    let app = crate::support::spawn_app().await;
    let desk = Counter::open(&app, OFFICE).await;
    let number = desk.registered(82).await;
    let other = Counter::open(&app, ELSEWHERE).await;

    let resp = other.get(&lookup_path(&number, "")).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "certificate_out_of_scope");
    // The refused read is in both offices' trails too.
    assert_eq!(audit_count(&app, "certificate.read_refused"), 2);
    // A purpose outside the list, or one without its note, is a bad request.
    let resp = other
        .get(&lookup_path(&number, "?purpose=curiosity&note=x"))
        .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        problem(resp).await["invalid_params"][0]["code"],
        "invalid_purpose"
    );
    let resp = other.get(&lookup_path(&number, "?purpose=reissue")).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        problem(resp).await["invalid_params"][0]["code"],
        "invalid_note"
    );
    let resp = other
        .get(&lookup_path(
            &number,
            "?purpose=divorce_application&note=walk-in",
        ))
        .await;
    assert_eq!(resp.status(), 200);

    // The office of a party's hukou (南京 玄武区, 320102) needs no purpose.
    let (man, woman) = (nth_person(83, true), nth_person(83, false));
    add_resident(&app, &man, "王强", "320508", "unmarried");
    add_resident(&app, &woman, "李娜", "320102", "unmarried");
    let r = desk.walk_in(couple(&man, "320508", &woman, "320102")).await;
    desk.run_checks(&r).await;
    let reg: Value = desk.declare_and_register(&r).await.json().await.unwrap();
    let hers = reg["certificate_number"].as_str().unwrap();
    let resp = other.get(&lookup_path(hers, "")).await;
    assert_eq!(resp.status(), 200);
    let reads = reads_seen_by(&app, OFFICE, &woman).await;
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0]["details"]["scope"], "hukou_office");
}

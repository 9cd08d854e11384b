//! A partner's status query, answered on the suite's engine (the federation test's 江苏 is
//! always SQLite).

use serde_json::Value;

use crate::support::partner::{Jiangsu, UNREACHABLE};
use crate::support::{audit_details, masked, nth_person, Counter};

const JS_OFFICE: &str = "sz-gusu";

#[tokio::test]
async fn a_status_query_reads_the_certificate_on_the_suite_engine() {
    let js = Jiangsu::knowing_henan(UNREACHABLE, &["registration_status"]);
    let app = &js.app;
    let number = Counter::open(app, JS_OFFICE).await.registered(80).await;
    let path = format!("/v1/partner/registrations/{number}");
    let resp = js.forge(&path, None).send(app).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "valid");
    assert_eq!(v["certificate_number"], number);
    assert_eq!(v["office"]["id"], JS_OFFICE);
    assert_eq!(
        v["parties"][0]["id_number_masked"],
        masked(&nth_person(80, true))
    );
    assert_eq!(
        audit_details(app, "partner.registration_status.received").len(),
        1
    );
}

//! Nobody the records show married is cleared by the household checks: an authoritative
//! failure is not undone by a later `unavailable` and a manual verification, this region's
//! register is consulted by ID number whatever hukou was declared, and only a supervisor's
//! override with a reason and a document clears a party.

use serde_json::{json, Value};

use crate::support::partner::{KeyFile, ALL_OPS, HENAN, JIANGSU};
use crate::support::proxy::{free_port, Proxy};
use crate::support::statistics::json_of;
use crate::support::{
    add_resident, audit_details, couple, id_number, problem, spawn_app_on, spawn_app_with, Counter,
    TestApp, TestDb,
};

const JS_OFFICE: &str = "sz-gusu";
const NOTE: &str = "户口簿首页及本人页，婚姻状况 未婚";

/// A 江苏 instance that reaches a real 河南 instance through a proxy the test can cut.
struct Reachable {
    js: TestApp,
    ha: TestApp,
    proxy: Proxy,
    _keys: (KeyFile, KeyFile),
}

fn henan_behind_a_proxy() -> Reachable {
    let (js_key, ha_key) = (KeyFile::new(), KeyFile::new());
    let js_port = free_port();
    let js_url = format!("http://127.0.0.1:{js_port}");
    // 河南 is reached through the proxy: it is the address partners sign for.
    let ha_port = free_port();
    let proxy = Proxy::start(format!("127.0.0.1:{ha_port}"));
    let via = format!("http://127.0.0.1:{}", proxy.port);
    let ha = spawn_app_with(|s| {
        s.server.port = ha_port;
        HENAN.configure(
            s,
            &ha_key,
            vec![JIANGSU.peer(&js_url, &js_key.key, &ALL_OPS)],
        );
        s.partner.public_url = via.clone();
    });
    let js_db = std::sync::Arc::new(TestDb::create());
    let js = spawn_app_on(js_db.clone(), js_db.url(), |s| {
        s.server.port = js_port;
        JIANGSU.configure(s, &js_key, vec![HENAN.peer(&via, &ha_key.key, &ALL_OPS)]);
        s.partner.timeout_ms = 400;
        s.partner.retries = 0;
    });
    Reachable {
        js,
        ha,
        proxy,
        _keys: (js_key, ha_key),
    }
}

/// A 江苏 woman and a 河南 man the 河南 register shows married, walked in and checked once.
async fn married_henan_man(r: &Reachable, desk: &Counter<'_>) -> String {
    let man = id_number("410105", "19900101", true);
    let woman = id_number("320508", "19920202", false);
    add_resident(&r.ha, &man, "王强", "410105", "married");
    add_resident(&r.js, &woman, "李娜", "320508", "unmarried");
    let reference = desk.walk_in(couple(&man, "410105", &woman, "320508")).await;
    let v = desk.run_checks(&reference).await;
    assert_eq!(v["checks"][0]["outcome"], "failed", "{v}");
    assert_eq!(v["checks"][0]["reason"], "married");
    reference
}

#[tokio::test]
async fn a_failed_authoritative_check_cannot_be_cleared_by_a_manual_verification() {
    let r = henan_behind_a_proxy();
    let desk = Counter::open(&r.js, JS_OFFICE).await;
    let reference = married_henan_man(&r, &desk).await;

    // The partner goes away; the checks are run again and answer `unavailable`.
    r.proxy.cut();
    let v = desk.run_checks(&reference).await;
    assert_eq!(v["checks"][0]["outcome"], "unavailable", "{v}");
    assert_eq!(v["cleared"], false);

    let resp = desk.verify_manually(&reference, 0, "unmarried", NOTE).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "authoritative_check_failed");
    let resp = desk.declare_and_register(&reference).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "checks_incomplete");
}

#[tokio::test]
async fn only_a_supervisor_override_with_a_reason_and_a_document_clears_a_failed_party() {
    let r = henan_behind_a_proxy();
    let desk = Counter::open(&r.js, JS_OFFICE).await;
    let reference = married_henan_man(&r, &desk).await;
    let doc = "(2026)豫0105民初123号 离婚判决书";

    // A registrar may not override; a supervisor must give both a reason and a document.
    let resp = desk
        .override_check(&reference, 0, "离婚判决已生效", doc)
        .await;
    assert_eq!(resp.status(), 403);
    let sup = Counter::new(&r.js, &r.js.supervisor(JS_OFFICE).await, JS_OFFICE);
    let resp = sup.override_check(&reference, 3, " ", "").await;
    assert_eq!(resp.status(), 400);
    let p = problem(resp).await;
    assert_eq!(p["invalid_params"].as_array().unwrap().len(), 3, "{p}");
    // The kind of the document is one of the four, never free text or absent.
    for kind in [json!("a letter"), json!(""), Value::Null] {
        let mut body = json!({"party": 0, "reason": "离婚判决已生效", "document_reference": doc});
        if !kind.is_null() {
            body["document_kind"] = kind.clone();
        }
        let resp = sup.step(&reference, "check-overrides", body).await;
        assert_eq!(resp.status(), 400, "{kind}");
        let p = problem(resp).await;
        assert_eq!(p["invalid_params"][0]["name"], "document_kind", "{p}");
    }
    // The other party passed: there is nothing to override.
    let resp = sup
        .override_check(&reference, 1, "离婚判决已生效", doc)
        .await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "override_not_needed");

    let resp = sup
        .override_check(&reference, 0, "离婚判决已生效", doc)
        .await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["cleared"], true, "{v}");
    assert_eq!(v["checks"][0]["source"], "supervisor_override");
    assert_eq!(v["checks"][0]["document_reference"], doc);
    assert_eq!(v["checks"][0]["document_kind"], "court_judgment");
    assert_eq!(v["history"].as_array().unwrap().len(), 3);
    let audited = audit_details(&r.js, "household.check_overridden");
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0]["document_reference"], doc);
    assert_eq!(audited[0]["document_kind"], "court_judgment");
    assert_eq!(desk.declare_and_register(&reference).await.status(), 201);

    let stats = json_of(&r.js, &sup.token, "").await;
    assert_eq!(stats["total"]["check_overrides"], 1, "{stats}");
}

/// A 苏州 resident whose register shows `status` declares a hukou in 西安, a region that runs no
/// instance, and applies with a 苏州 woman: the reference and the checks.
async fn declared_in_xian(desk: &Counter<'_>, status: &str) -> (String, Value) {
    let man = id_number("320508", "19880808", true);
    let woman = id_number("320508", "19930303", false);
    add_resident(desk.app, &man, "王强", "320508", status);
    add_resident(desk.app, &woman, "李娜", "320508", "unmarried");
    let reference = desk.walk_in(couple(&man, "610113", &woman, "320508")).await;
    let v = desk.run_checks(&reference).await;
    (reference, v)
}

#[tokio::test]
async fn the_local_register_is_consulted_whatever_hukou_was_declared() {
    let app = spawn_app_with(|_| {});
    let desk = Counter::open(&app, JS_OFFICE).await;
    let (reference, v) = declared_in_xian(&desk, "married").await;
    assert_eq!(v["checks"][0]["source"], "local_register", "{v}");
    assert_eq!(v["checks"][0]["outcome"], "failed");
    assert_eq!(v["cleared"], false);
    let reasons: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["party"] == 0)
        .filter_map(|c| c["reason"].as_str())
        .collect();
    assert_eq!(reasons, ["married"], "{v}");

    // Never cleared: not by hand, not by a supervisor.
    let resp = desk.verify_manually(&reference, 0, "unmarried", NOTE).await;
    assert_eq!(resp.status(), 409);
    let sup = Counter::new(&app, &app.supervisor(JS_OFFICE).await, JS_OFFICE);
    let resp = sup.override_check(&reference, 0, "称已离婚", "无").await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "married_in_our_records");
    let resp = desk.declare_and_register(&reference).await;
    assert_eq!(resp.status(), 409);
}

#[tokio::test]
async fn a_declared_hukou_that_disagrees_with_the_register_fails_as_hukou_mismatch() {
    let app = spawn_app_with(|_| {});
    let desk = Counter::open(&app, JS_OFFICE).await;
    let (reference, v) = declared_in_xian(&desk, "unmarried").await;
    assert_eq!(v["checks"][0]["outcome"], "failed", "{v}");
    assert_eq!(v["checks"][0]["reason"], "hukou_mismatch");
    assert_eq!(v["checks"][0]["hukou_division_code"], "320508");
    let resp = desk.verify_manually(&reference, 0, "unmarried", NOTE).await;
    assert_eq!(resp.status(), 409);
}

//! A slow or dead partner is cheap: no database connection is held while a partner is asked,
//! at most `partner.max_concurrent_calls` calls are in flight to one partner, and after
//! `partner.breaker_failures` failures in a row the partner is not asked for a cool-down.

use std::sync::Arc;

use futures_util::future::join_all;

use crate::support::lib::keys;
use crate::support::lib::Settings;
use crate::support::partner::{KeyFile, ALL_OPS, HENAN, JIANGSU};
use crate::support::proxy::Hanging;
use crate::support::{
    add_resident, application_path, audit_count, couple, id_number, problem, spawn_app_with,
    Counter, TestApp,
};

const OFFICE: &str = "sz-gusu";

/// A 江苏 instance whose 河南 partner is `henan`, with `customize` applied after.
fn jiangsu(henan: &Hanging, customize: impl FnOnce(&mut Settings)) -> (TestApp, KeyFile) {
    let own = KeyFile::new();
    let k = keys::generate().unwrap();
    let app = spawn_app_with(|s| {
        JIANGSU.configure(s, &own, vec![HENAN.peer(&henan.url(), &k, &ALL_OPS)]);
        s.partner.retries = 0;
        customize(s);
    });
    (app, own)
}

/// `n` walked-in applications of a local man and a woman with 河南 hukou (asked of 河南).
async fn applications(app: &TestApp, desk: &Counter<'_>, n: u32) -> Vec<String> {
    let mut refs = Vec::new();
    for i in 0..n {
        let birth = format!("1995{:02}{:02}", 1 + i / 28, 1 + i % 28);
        let man = id_number("320508", &birth, true);
        add_resident(app, &man, "王强", "320508", "unmarried");
        let woman = id_number("410105", &birth, false);
        refs.push(desk.walk_in(couple(&man, "320508", &woman, "410105")).await);
    }
    refs
}

/// Runs the checks of every application at once: each answer's status and the remote
/// party's reason.
async fn check_all(desk: &Counter<'_>, refs: &[String]) -> Vec<(u16, String)> {
    let runs = refs.iter().map(|r| async move {
        let resp = desk.try_run_checks(r).await;
        let status = resp.status().as_u16();
        let v: serde_json::Value = resp.json().await.unwrap_or_default();
        (
            status,
            v["checks"][1]["reason"].as_str().unwrap_or("").to_owned(),
        )
    });
    join_all(runs).await
}

#[tokio::test]
async fn a_hanging_partner_leaves_connections_for_public_reads() {
    // Two connections; a partner call waits 2.5 s, longer than a request waits for a
    // connection (1.5 s). Checks that held a connection through the call would turn the
    // public reads away.
    let henan = Hanging::start();
    let (app, _key) = jiangsu(&henan, |s| {
        s.database.max_connections = 2;
        s.database.acquire_timeout_ms = 1500;
        s.partner.timeout_ms = 2500;
    });
    let app = Arc::new(app);
    let desk = Counter::open(&app, OFFICE).await;
    let refs = applications(&app, &desk, 10).await;
    // The reads spread over the time the calls hang.
    let reads = (0..24u64).map(|i| {
        let app = app.clone();
        async move {
            tokio::time::sleep(std::time::Duration::from_millis(100 * i)).await;
            app.get("/v1/offices/sz-gusu").await.status().as_u16()
        }
    });
    let (checks, reads) = tokio::join!(check_all(&desk, &refs), join_all(reads));
    assert!(
        reads.iter().all(|s| *s == 200),
        "public reads failed: {reads:?}"
    );
    assert!(
        checks
            .iter()
            .all(|(s, reason)| *s == 200 && reason == "partner_unavailable"),
        "{checks:?}"
    );
}

#[tokio::test]
async fn checks_answered_after_a_refusal_are_not_stored() {
    // The checks are written on a connection taken after the partner call: the application
    // is read again there, and one refused meanwhile gets no checks.
    let henan = Hanging::start();
    let (app, _key) = jiangsu(&henan, |s| s.partner.timeout_ms = 1500);
    let desk = Counter::open(&app, OFFICE).await;
    let r = applications(&app, &desk, 1).await.remove(0);
    let refuse = async {
        // Once the partner has the question, the registrar refuses the application.
        while henan.connections() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        desk.refuse(&r, "not_voluntary", "当事人表示非自愿").await
    };
    let (checks, refusal) = tokio::join!(desk.try_run_checks(&r), refuse);
    assert_eq!(refusal.status(), 201);
    assert_eq!(checks.status(), 409);
    assert_eq!(problem(checks).await["code"], "invalid_transition");
    assert_eq!(audit_count(&app, "household.checked"), 0);
    let v: serde_json::Value = desk
        .get(&format!("{}/household-checks", application_path(&r)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["history"].as_array().map(Vec::len), Some(0), "{v}");
}

#[tokio::test]
async fn a_dead_partner_is_asked_at_most_breaker_failures_times() {
    // One retry per check: the breaker counts attempts, so the second check's first attempt
    // opens it and its retry is not made. The cool-down outlasts the test: no trial call.
    let henan = Hanging::start();
    let (app, _key) = jiangsu(&henan, |s| {
        s.partner.timeout_ms = 300;
        s.partner.retries = 1;
        s.partner.retry_backoff_ms = 10;
        s.partner.breaker_failures = 3;
        s.partner.breaker_cooldown_secs = 3600;
    });
    let desk = Counter::open(&app, OFFICE).await;
    let refs = applications(&app, &desk, 12).await;
    for r in &refs {
        let v = desk.run_checks(r).await;
        assert_eq!(v["checks"][1]["outcome"], "unavailable", "{v}");
        assert_eq!(v["checks"][1]["reason"], "partner_unavailable", "{v}");
    }
    assert_eq!(henan.connections(), 3, "partner.breaker_failures is 3");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("partner_circuit_state{partner=\"henan\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn no_more_than_max_concurrent_calls_reach_one_partner() {
    // Ten checks at once, on a pool that could hold them all: two reach the partner (no
    // retries, and the breaker would open only after five failures); the others are
    // answered `partner_unavailable` without a call.
    let henan = Hanging::start();
    let (app, _key) = jiangsu(&henan, |s| {
        s.database.max_connections = 12;
        s.partner.timeout_ms = 1000;
        s.partner.max_concurrent_calls = 2;
    });
    let desk = Counter::open(&app, OFFICE).await;
    let refs = applications(&app, &desk, 10).await;
    let checks = check_all(&desk, &refs).await;
    assert!(
        checks
            .iter()
            .all(|(s, reason)| *s == 200 && reason == "partner_unavailable"),
        "{checks:?}"
    );
    assert!(
        henan.connections() <= 2,
        "{} calls reached the partner, partner.max_concurrent_calls is 2",
        henan.connections()
    );
}

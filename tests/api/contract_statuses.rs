//! The contract tells every status (issue 14 §4): each status a route answers to the probes
//! below is declared for its operation in openapi.yaml. The probes provoke what every route's
//! code can send: anonymous (401), a supervisor's and an auditor's token (403, 404, 409…), a
//! wrong media type (415), malformed JSON (400), a body over the limit (413), the spec's own
//! example twice with a burst of one (429), and on PostgreSQL a database gone (503).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::support::lib::routes;
use crate::support::proxy::{host_port, via_port, Proxy};
use crate::support::{postgres_server_url, spawn_app_on, spawn_app_with, TestApp, TestDb};

type Observed = BTreeMap<(String, String), BTreeSet<u16>>;

fn spec() -> serde_yaml::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml at the repository root");
    serde_yaml::from_str(&text).expect("openapi.yaml is YAML")
}

fn operation<'a>(spec: &'a serde_yaml::Value, method: &str, path: &str) -> &'a serde_yaml::Value {
    &spec["paths"][path][method.to_lowercase().as_str()]
}

fn declared(spec: &serde_yaml::Value, method: &str, path: &str) -> BTreeSet<u16> {
    operation(spec, method, path)["responses"]
        .as_mapping()
        .map(|m| m.keys().filter_map(|k| k.as_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

/// The operation's example request body, else `{}`.
fn example(spec: &serde_yaml::Value, method: &str, path: &str) -> String {
    let ex =
        &operation(spec, method, path)["requestBody"]["content"]["application/json"]["example"];
    if ex.is_null() {
        "{}".into()
    } else {
        serde_json::to_string(&serde_yaml::from_value::<serde_json::Value>(ex.clone()).unwrap())
            .unwrap()
    }
}

fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{office_id}" => "sz-gusu",
            s if s.starts_with('{') => "x",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    ct: &str,
    body: String,
) -> u16 {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = app
        .client
        .request(m, app.url(&concrete(path)))
        .header("content-type", ct);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    rb.body(body).send().await.unwrap().status().as_u16()
}

/// Every probe but the rate limit and the database, against `app`.
async fn probe(app: &TestApp, spec: &serde_yaml::Value, seen: &mut Observed) {
    let (supervisor, auditor) = (
        app.supervisor("sz-gusu").await,
        app.auditor("sz-gusu").await,
    );
    let too_big = format!("{{\"x\":\"{}\"}}", "a".repeat(70_000));
    for r in routes::table() {
        let (method, path) = (r.method.to_string(), r.path);
        let mut statuses = Vec::new();
        for token in [None, Some(auditor.as_str()), Some(supervisor.as_str())] {
            // Signing out ends the token: that route gets a fresh one each time.
            let fresh;
            let token = match token {
                Some(_) if path == "/v1/registrar/sessions/current" => {
                    fresh = app.supervisor("sz-gusu").await;
                    Some(fresh.as_str())
                }
                t => t,
            };
            for (ct, body) in [
                ("application/json", "{}".to_owned()),
                ("application/json", example(spec, &method, path)),
                ("text/plain", "x".to_owned()),
                ("application/json", "{".to_owned()),
                ("application/json", too_big.clone()),
            ] {
                statuses.push(send(app, &method, path, token, ct, body).await);
            }
        }
        seen.entry((method, path.to_owned()))
            .or_default()
            .extend(statuses);
    }
}

/// The spec's example of each route twice, with a burst of one: 429 where a route is limited.
async fn probe_limits(spec: &serde_yaml::Value, seen: &mut Observed) -> BTreeSet<String> {
    let app = spawn_app_with(|s| {
        s.rate_limit.per_minute = 1;
        s.rate_limit.burst = 1;
    });
    let mut limited = BTreeSet::new();
    for r in routes::table() {
        let (method, path) = (r.method.to_string(), r.path);
        for _ in 0..2 {
            let status = send(
                &app,
                &method,
                path,
                None,
                "application/json",
                example(spec, &method, path),
            )
            .await;
            if status == 429 {
                limited.insert(format!("{method} {path}"));
            }
            seen.entry((method.clone(), path.to_owned()))
                .or_default()
                .insert(status);
        }
    }
    limited
}

#[tokio::test]
async fn every_status_a_route_sends_is_declared_in_the_spec() {
    let spec = spec();
    let mut seen = Observed::new();
    let limited = probe_limits(&spec, &mut seen).await;
    assert_eq!(
        limited,
        BTreeSet::from(
            [
                "POST /v1/eligibility",
                "POST /v1/appointments",
                "POST /v1/divorce-applications/{reference}/issue-visit",
                "POST /v1/confirmations",
                "POST /v1/confirmations/release",
                "POST /v1/registrar/sessions",
                "GET /v1/citizen/sign-in",
                "GET /v1/citizen/callback",
                "POST /v1/partner/household-verifications",
                "POST /v1/partner/notifications",
                "GET /v1/partner/registrations/{certificate_number}",
            ]
            .map(String::from)
        ),
        "the routes the limits guard"
    );
    match postgres_server_url() {
        Some(server) => {
            // Through a proxy that the test cuts: the pool times out (503) on every route that
            // needs the database.
            let db = Arc::new(TestDb::create());
            let proxy = Proxy::start(host_port(&server));
            let app = spawn_app_on(db.clone(), &via_port(db.url(), proxy.port), |s| {
                s.database.acquire_timeout_ms = 300;
            });
            probe(&app, &spec, &mut seen).await;
            let token = app.supervisor("sz-gusu").await;
            proxy.cut();
            for r in routes::table() {
                let (method, path) = (r.method.to_string(), r.path);
                let body = example(&spec, &method, path);
                let status =
                    send(&app, &method, path, Some(&token), "application/json", body).await;
                seen.entry((method, path.to_owned()))
                    .or_default()
                    .insert(status);
            }
            let offices = &seen[&("GET".to_owned(), "/v1/offices".to_owned())];
            assert!(
                offices.contains(&503),
                "the database probe reached the pool: {offices:?}"
            );
        }
        None => {
            eprintln!("every_status_a_route_sends_is_declared_in_the_spec: 503 probes need PostgreSQL (TEST_DATABASE_URL)");
            probe(&spawn_app_with(|_| {}), &spec, &mut seen).await;
        }
    }
    let undeclared: Vec<String> = seen
        .iter()
        .filter_map(|((method, path), statuses)| {
            let declared = declared(&spec, method, path);
            let missing: Vec<_> = statuses.difference(&declared).collect();
            (!missing.is_empty()).then(|| format!("{method} {path}: {missing:?}"))
        })
        .collect();
    assert!(
        undeclared.is_empty(),
        "statuses sent but not in openapi.yaml:\n{}",
        undeclared.join("\n")
    );
}

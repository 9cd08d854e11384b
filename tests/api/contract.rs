//! openapi.yaml and the server agree: every registered route is in the spec, every spec path
//! is served.

use std::collections::BTreeSet;

use crate::support::lib::routes;
use crate::support::{problem, spawn_app};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn spec() -> serde_yaml::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml at the repository root");
    serde_yaml::from_str(&text).expect("openapi.yaml is YAML")
}

fn spec_operations() -> BTreeSet<(String, String)> {
    let spec = spec();
    let paths = spec["paths"].as_mapping().expect("paths");
    let mut ops = BTreeSet::new();
    for (path, item) in paths {
        let path = path.as_str().unwrap().to_owned();
        for m in METHODS {
            if item.get(m).is_some() {
                ops.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

fn app_operations() -> BTreeSet<(String, String)> {
    routes::table()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect()
}

#[test]
fn spec_is_openapi_3_1() {
    let spec = spec();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["components"]["schemas"]["Problem"].is_mapping());
}

#[test]
fn every_registered_route_is_in_the_spec() {
    let missing: Vec<_> = app_operations()
        .difference(&spec_operations())
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from openapi.yaml: {missing:?}"
    );
}

#[test]
fn every_spec_operation_is_registered() {
    let extra: Vec<_> = spec_operations()
        .difference(&app_operations())
        .cloned()
        .collect();
    assert!(
        extra.is_empty(),
        "openapi.yaml operations not served: {extra:?}"
    );
}

/// Over real HTTP: no operation of the spec meets the router's 404/405.
#[tokio::test]
async fn every_spec_operation_is_served_over_http() {
    let app = spawn_app().await;
    for (method, path) in spec_operations() {
        let concrete = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = app
            .client
            .request(method.clone(), app.url(&concrete))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        assert!(
            !body.contains("route_not_found") && !body.contains("method_not_allowed"),
            "{method} {path}: {status} {body}"
        );
    }
}

/// Every registrar route but sign-in refuses an anonymous request with 401, and so does every
/// partner route (no signature).
#[tokio::test]
async fn every_registrar_and_partner_route_refuses_anonymous_requests() {
    let app = spawn_app().await;
    let guarded: Vec<_> = routes::table()
        .into_iter()
        .filter(|r| {
            (r.path.starts_with("/v1/registrar/") && r.path != "/v1/registrar/sessions")
                || r.path.starts_with("/v1/partner/")
        })
        .collect();
    assert_eq!(
        guarded
            .iter()
            .filter(|r| r.path.starts_with("/v1/partner/"))
            .count(),
        3
    );
    assert!(!guarded.is_empty());
    for r in guarded {
        let path = r
            .path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let method = reqwest::Method::from_bytes(r.method.as_str().as_bytes()).unwrap();
        let resp = app
            .client
            .request(method, app.url(&path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{} {}", r.method, r.path);
        let expected = if r.path.starts_with("/v1/partner/") {
            "signature_missing"
        } else {
            "unauthenticated"
        };
        assert_eq!(
            problem(resp).await["code"],
            expected,
            "{} {}",
            r.method,
            r.path
        );
    }
}

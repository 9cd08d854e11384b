//! /healthz, /readyz, /metrics, and the database going away and coming back.

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;

use crate::support::proxy::{host_port, via_port, Proxy};
use crate::support::{postgres_server_url, problem, spawn_app, spawn_app_on, TestDb};

#[tokio::test]
async fn healthz_answers_200() {
    let app = spawn_app().await;
    let resp = app.get_healthz().await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("x-request-id"));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_is_200_when_migrated() {
    let app = spawn_app().await;
    let resp = app.get_readyz().await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    let engine = if app.db.is_postgres() {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], engine);
}

#[tokio::test]
async fn readyz_is_503_migrations_pending_when_schema_is_behind() {
    let app = spawn_app().await;
    // Arrange: forget the latest migration, as if the database were older than the build.
    app.connect()
        .batch_execute(
            "DELETE FROM __diesel_schema_migrations WHERE version = \
             (SELECT MAX(version) FROM __diesel_schema_migrations)",
        )
        .unwrap();
    // Act
    let resp = app.get_readyz().await;
    // Assert
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    assert_eq!(problem(resp).await["code"], "migrations_pending");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = spawn_app().await;
    app.get_healthz().await;
    app.get("/no/such/route/12345").await;
    let text = app.get_metrics().await;
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 1"#),
        "{text}"
    );
    // Unknown paths share one label, so a scanner cannot blow up the series count.
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#),
        "{text}"
    );
    assert!(!text.contains("12345"));
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("db_pool_connections "));
    assert!(text.contains("db_pool_idle_connections "));
}

/// A PostgreSQL server that goes away after start: /readyz 503 `database_unavailable`, the
/// process keeps serving what needs no database, and everything recovers when it returns.
/// (SQLite is a file inside the process: it cannot be "down"; this runs on PostgreSQL.)
#[tokio::test]
async fn database_down_after_start_gives_503_and_recovers() {
    let Some(server) = postgres_server_url() else {
        eprintln!("runs on PostgreSQL only (TEST_DATABASE_URL unset)");
        return;
    };
    let db = Arc::new(TestDb::create());
    let proxy = Proxy::start(host_port(&server));
    let app = spawn_app_on(db.clone(), &via_port(db.url(), proxy.port), |s| {
        s.database.acquire_timeout_ms = 500;
    });
    assert_eq!(app.get_readyz().await.status(), 200);

    proxy.cut();
    let resp = app.get_readyz().await;
    assert_eq!(resp.status(), 503);
    assert_eq!(problem(resp).await["code"], "database_unavailable");
    let resp = app.get("/v1/offices").await;
    assert_eq!(resp.status(), 503, "a request that needs the database");
    assert_eq!(problem(resp).await["code"], "database_unavailable");
    assert_eq!(app.get_healthz().await.status(), 200, "process still alive");

    proxy.restore();
    let mut status = 0;
    for _ in 0..50 {
        status = app.get_readyz().await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "recovers when the database returns");
}

#[tokio::test]
async fn metrics_method_labels_are_bounded() {
    let app = spawn_app().await;
    for method in ["XYZZY", "BREW", "PROPFIND", "GET"] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        app.client
            .request(m, app.url("/v1/offices"))
            .send()
            .await
            .unwrap();
    }
    let text = app.client.get(app.url("/metrics")).send().await.unwrap();
    let text = text.text().await.unwrap();
    for odd in ["XYZZY", "BREW", "PROPFIND"] {
        assert!(!text.contains(odd), "{odd} became a label");
    }
    assert!(text.contains("method=\"OTHER\""), "{text}");
    assert!(text.contains("method=\"GET\""), "{text}");
}

#[tokio::test]
async fn metrics_can_require_a_token() {
    let app = crate::support::spawn_app_with(|s| {
        s.server.metrics_token = secrecy::SecretString::from("s3cret-metrics".to_owned());
    });
    let resp = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(problem(resp).await["code"], "unauthenticated");
    let resp = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("s3cret-metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("http_requests_total"));
}

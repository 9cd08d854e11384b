//! A staff session not used for `staff.idle_minutes` ends: a bearer token and the desk's cookie
//! alike, whatever is left of its `session_hours`; a session in use stays open.

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;

use crate::support::desk::Desk;
use crate::support::{spawn_app, spawn_app_with, TestApp};

/// As if every session had last been used at `at` (UTC, `YYYY-MM-DD HH:MM:SS`).
fn last_used(app: &TestApp, at: &str) {
    app.connect()
        .batch_execute(&format!("UPDATE staff_sessions SET last_used_at = '{at}'"))
        .unwrap();
}

fn minutes_ago(m: i64) -> String {
    (chrono::Utc::now().naive_utc() - chrono::Duration::minutes(m))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[tokio::test]
async fn a_session_idle_longer_than_idle_minutes_ends_and_one_in_use_stays() {
    let app = spawn_app().await;
    let token = app.supervisor("sz-gusu").await;
    assert_eq!(
        app.get_authed("/v1/registrar/me", &token).await.status(),
        200
    );
    // Used 20 minutes ago: still open (30 by default), and marked used again.
    last_used(&app, &minutes_ago(20));
    assert_eq!(
        app.get_authed("/v1/registrar/me", &token).await.status(),
        200
    );
    // Idle for 31 minutes: over.
    last_used(&app, &minutes_ago(31));
    let resp = app.get_authed("/v1/registrar/me", &token).await;
    assert_eq!(resp.status(), 401);
    // The desk's cookie alike: back to the sign-in page.
    let mut desk = Desk::new(&app);
    desk.staff("sz-gusu", "registrar").await;
    assert_eq!(desk.get("/desk/queue").await.status, StatusCode::OK);
    last_used(&app, &minutes_ago(31));
    let a = desk.get("/desk/queue").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(
        a.location().starts_with("/desk/sign-in"),
        "{}",
        a.location()
    );
}

#[tokio::test]
async fn idle_minutes_zero_keeps_only_the_absolute_lifetime() {
    let app = spawn_app_with(|s| s.staff.idle_minutes = 0);
    let token = app.supervisor("sz-gusu").await;
    last_used(&app, &minutes_ago(600));
    assert_eq!(
        app.get_authed("/v1/registrar/me", &token).await.status(),
        200
    );
}

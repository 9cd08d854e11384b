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

/// How many sessions were last used before `at`.
fn sessions_used_before(app: &TestApp, at: &str) -> i64 {
    use crate::support::lib::schema::staff_sessions::dsl;
    use diesel::prelude::*;
    let at = chrono::NaiveDateTime::parse_from_str(&at[..19], "%Y-%m-%d %H:%M:%S").unwrap();
    dsl::staff_sessions
        .filter(dsl::last_used_at.lt(at))
        .count()
        .get_result(&mut app.connect())
        .unwrap()
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

/// The queue page refreshes its rows by itself every 20 s: that is not a use, so a screen left
/// unattended with the queue open still ends at `staff.idle_minutes`.
#[tokio::test]
async fn the_queues_own_refresh_does_not_keep_an_unattended_session_open() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    desk.staff("sz-gusu", "registrar").await;
    assert_eq!(desk.get("/desk/queue").await.status, StatusCode::OK);
    // Refreshed for 29 minutes after the last use: still open ...
    last_used(&app, &minutes_ago(29));
    for _ in 0..3 {
        let a = desk.get("/desk/queue/rows").await;
        assert_eq!(a.status, StatusCode::OK);
    }
    // ... but never marked used (the page itself is).
    let stale = (chrono::Utc::now().naive_utc() - chrono::Duration::minutes(28)).to_string();
    assert_eq!(
        sessions_used_before(&app, &stale),
        1,
        "a refresh marked it used"
    );
    assert_eq!(desk.get("/desk/queue").await.status, StatusCode::OK);
    assert_eq!(
        sessions_used_before(&app, &stale),
        0,
        "the page marks it used"
    );
    // Idle over the limit: the refresh ends too.
    last_used(&app, &minutes_ago(31));
    let a = desk.get("/desk/queue/rows").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = desk.get("/desk/queue").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "the session ended");
}

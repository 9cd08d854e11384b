//! One allowance across instances (issue 14 §2): on PostgreSQL the limits of the public POST
//! routes, sign-in and the partner routes are kept in the database too, so N instances on one
//! database give a client one allowance, not N.

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use crate::support::lib::db::rate_limits::{self, Decision, Gcra};
use crate::support::{eventually, nth_couple, spawn_app, spawn_app_on, spawn_app_with, TestApp};

const BURST: u32 = 3;

fn limited(s: &mut crate::support::lib::Settings) {
    // One token a minute: nothing refills while the test runs, whatever the machine's speed.
    s.rate_limit.per_minute = 1;
    s.rate_limit.burst = BURST;
}

/// Answers other than 429 to `n` eligibility checks from 127.0.0.1, alternating instances.
async fn answered(apps: [&TestApp; 2], n: u32) -> usize {
    let body = json!({"parties": nth_couple(900)});
    let mut answered = 0;
    for i in 0..n {
        let status = apps[(i % 2) as usize]
            .post_eligibility(&body)
            .await
            .status();
        assert!(
            status == 200 || status == 429,
            "only answers or refusals: {status}"
        );
        answered += usize::from(status != 429);
    }
    answered
}

#[tokio::test]
async fn two_instances_share_one_allowance() {
    let a = spawn_app_with(limited);
    let b = spawn_app_on(a.db.clone(), a.db.url(), limited);
    let answered = answered([&a, &b], 2 * BURST).await;
    if a.db.is_postgres() {
        assert_eq!(
            answered, BURST as usize,
            "one allowance across both instances"
        );
    } else {
        // SQLite is one instance by design: there the limit is per instance (each its burst).
        eprintln!(
            "two_instances_share_one_allowance: SQLite runs one instance by design, the shared \
             limiter is PostgreSQL only; checked per-instance allowances instead"
        );
        assert_eq!(
            answered,
            2 * BURST as usize,
            "each instance its own allowance"
        );
    }
}

fn at(secs: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(1_780_000_000 + secs, 0)
        .unwrap()
        .naive_utc()
}

/// One request a second, three at once.
const LIMIT: Gcra = Gcra {
    interval_us: 1_000_000,
    burst: 3,
};

#[tokio::test]
async fn the_shared_limiter_allows_the_burst_refuses_the_next_and_refills_after_the_interval() {
    let app = spawn_app().await;
    let mut conn = app.connect();
    let now = at(0);
    for i in 0..3 {
        let d = rate_limits::take(&mut conn, "eligibility|192.0.2.1", now, LIMIT).unwrap();
        assert_eq!(d, Decision::Allowed, "request {i} of the burst");
    }
    let refused = rate_limits::take(&mut conn, "eligibility|192.0.2.1", now, LIMIT).unwrap();
    assert_eq!(refused, Decision::Refused { wait_us: 1_000_000 });
    // A refusal takes nothing: half an interval later it is still half an interval to wait.
    let half = now + Duration::milliseconds(500);
    let again = rate_limits::take(&mut conn, "eligibility|192.0.2.1", half, LIMIT).unwrap();
    assert_eq!(again, Decision::Refused { wait_us: 500_000 });
    // Another key has its own allowance.
    let other = rate_limits::take(&mut conn, "appointments|192.0.2.1", now, LIMIT).unwrap();
    assert_eq!(other, Decision::Allowed);
    // One interval later, one more request, and only one.
    let later = now + Duration::seconds(1);
    let d = rate_limits::take(&mut conn, "eligibility|192.0.2.1", later, LIMIT).unwrap();
    assert_eq!(d, Decision::Allowed);
    let d = rate_limits::take(&mut conn, "eligibility|192.0.2.1", later, LIMIT).unwrap();
    assert!(matches!(d, Decision::Refused { .. }), "{d:?}");
}

#[tokio::test]
async fn shared_limiter_rows_are_purged_once_their_allowance_is_whole() {
    let app = spawn_app().await;
    let mut conn = app.connect();
    for i in 0..3 {
        rate_limits::take(&mut conn, &format!("x|192.0.2.{i}"), at(0), LIMIT).unwrap();
    }
    rate_limits::take(&mut conn, "x|192.0.2.9", at(5), LIMIT).unwrap();
    // At 1 s every key taken at 0 has its whole allowance back; the one taken at 5 s has not.
    assert_eq!(rate_limits::purge(&mut conn, at(1)).unwrap(), 3);
    assert_eq!(rate_limits::purge(&mut conn, at(1)).unwrap(), 0);
    let d = rate_limits::take(&mut conn, "x|192.0.2.0", at(1), LIMIT).unwrap();
    assert_eq!(d, Decision::Allowed);
}

#[tokio::test]
async fn a_failing_shared_limiter_never_answers_5xx_and_the_instance_limit_still_holds() {
    let app = spawn_app_with(limited);
    if !app.db.is_postgres() {
        eprintln!("skipped: the shared limiter runs on PostgreSQL only (TEST_DATABASE_URL)");
        return;
    }
    // The limiter's statement now fails on every request.
    use diesel::connection::SimpleConnection;
    app.connect()
        .batch_execute("DROP TABLE rate_limits")
        .unwrap();
    let body = json!({"parties": nth_couple(901)});
    let mut statuses = Vec::new();
    for _ in 0..=BURST {
        statuses.push(app.post_eligibility(&body).await.status().as_u16());
    }
    let mut expected = vec![200; BURST as usize];
    expected.push(429);
    assert_eq!(statuses, expected, "answered on this instance's limit");
}

#[tokio::test]
async fn the_sweep_purges_idle_shared_limiter_rows() {
    let app = spawn_app().await;
    let mut conn = app.connect();
    let past = chrono::Utc::now().naive_utc() - Duration::seconds(10);
    rate_limits::take(&mut conn, "eligibility|192.0.2.7", past, LIMIT).unwrap();
    let rows = |conn: &mut crate::support::lib::db::DbConn| -> i64 {
        use diesel::prelude::*;
        crate::support::lib::schema::rate_limits::table
            .count()
            .get_result(conn)
            .unwrap()
    };
    assert_eq!(rows(&mut conn), 1);
    eventually("the idle key purged by the sweep", || rows(&mut conn) == 0).await;
}

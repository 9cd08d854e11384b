//! The sweep drops what is no longer needed: a delivered message's personal payload after the
//! retention, expired and revoked sessions, sign-in failures older than the window. Each is
//! run with `now` passed in.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::support::lib::sweep::{self, SweepPolicy};
use crate::support::lib::{db, schema};
use crate::support::{nth_person, spawn_app};

/// Ten years ahead: the app's own sweep (at the real time) never reaches these rows.
fn later() -> NaiveDateTime {
    chrono::Utc::now().naive_utc() + Duration::days(3650)
}

const POLICY: SweepPolicy = SweepPolicy {
    failure_window_minutes: 15,
    outbox_retention_days: 30,
};

/// Queues a message of `kind` with `payload`, due only in ten years (no worker claims it).
fn queue(conn: &mut db::DbConn, kind: &str, payload: &str) -> i64 {
    db::outbox::enqueue(conn, kind, payload, later(), later()).unwrap();
    use schema::outbox::dsl;
    dsl::outbox
        .select(diesel::dsl::max(dsl::id))
        .first::<Option<i64>>(conn)
        .unwrap()
        .unwrap()
}

fn payload(conn: &mut db::DbConn, id: i64) -> String {
    use schema::outbox::dsl;
    dsl::outbox
        .find(id)
        .select(dsl::payload)
        .first(conn)
        .unwrap()
}

#[tokio::test]
async fn delivered_outbox_rows_drop_their_personal_payload_after_the_retention() {
    let app = spawn_app().await;
    let mut conn = app.connect();
    let personal = format!(
        r#"{{"to":"couple@example.com","id":"{}"}}"#,
        nth_person(92, true)
    );
    let t0 = later();
    let delivered = queue(&mut conn, "email", &personal);
    db::outbox::delivered(&mut conn, delivered, t0).unwrap();
    let pending = queue(&mut conn, "email", &personal);

    let r = sweep::run(&mut conn, &POLICY, t0 + Duration::days(29)).unwrap();
    assert_eq!(r.outbox_redacted, 0);
    assert_eq!(payload(&mut conn, delivered), personal);

    let r = sweep::run(&mut conn, &POLICY, t0 + Duration::days(31)).unwrap();
    assert_eq!(r.outbox_redacted, 1);
    let kept = payload(&mut conn, delivered);
    assert!(!kept.contains("couple@example.com"), "{kept}");
    assert!(!kept.contains(&nth_person(92, true)[..6]), "{kept}");
    // The row stays (delivered, counted); the undelivered one keeps what it must still send.
    use schema::outbox::dsl;
    let rows: i64 = dsl::outbox.count().get_result(&mut conn).unwrap();
    assert_eq!(rows, 2);
    assert_eq!(payload(&mut conn, pending), personal);
    let again = sweep::run(&mut conn, &POLICY, t0 + Duration::days(32)).unwrap();
    assert_eq!(again.outbox_redacted, 0, "redacted once");
}

#[tokio::test]
async fn the_sweep_purges_dead_sessions_and_old_sign_in_failures() {
    let app = spawn_app().await;
    app.add_staff("sz-gusu", "registrar", "sweep.test", "a long password");
    let mut conn = app.connect();
    let staff = db::staff::by_username(&mut conn, "sweep.test")
        .unwrap()
        .unwrap();
    let t0 = later();
    let hour = Duration::hours(1);
    db::staff::open_session(&mut conn, "expired", staff.id, t0 - hour * 13, t0 - hour).unwrap();
    db::staff::open_session(&mut conn, "revoked", staff.id, t0 - hour, t0 + hour).unwrap();
    db::staff::revoke_session(&mut conn, "revoked", t0 - hour).unwrap();
    db::staff::open_session(&mut conn, "live", staff.id, t0 - hour, t0 + hour).unwrap();
    let minute = Duration::minutes(1);
    db::staff::record_failure(&mut conn, "sweep.test", t0 - minute * 20).unwrap();
    db::staff::record_failure(&mut conn, "sweep.test", t0 - minute * 10).unwrap();

    let r = sweep::run(&mut conn, &POLICY, t0).unwrap();
    assert_eq!((r.sessions, r.sign_in_failures), (2, 1));
    use schema::staff_sessions::dsl as s;
    let left: Vec<String> = s::staff_sessions
        .select(s::token_hash)
        .load(&mut conn)
        .unwrap();
    assert_eq!(left, vec!["live".to_owned()]);
    let since = t0 - Duration::days(1);
    let failures = db::staff::failures_since(&mut conn, "sweep.test", since).unwrap();
    assert_eq!(failures, 1, "the failure inside the window counts still");
}

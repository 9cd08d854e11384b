//! The statistics' daily rollup gives the figures of the facts, always: after the days are
//! built, after a fact is written into a built day, for another region, grouped every way, for
//! the region and for one office. Each report is compared whole with the same report counted
//! from the facts only.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use diesel::connection::SimpleConnection;

use crate::support::lib::{db, statistics};
use crate::support::statistics::{history, GUSU};
use statistics::{compute_with, Mode, Request};

const REGION: &str = "32";

fn report(
    conn: &mut db::DbConn,
    staff: Option<&hunyin_app::auth::Staff>,
    region: &str,
    r: Request,
    mode: Mode,
) -> serde_json::Value {
    let names = BTreeMap::from([("henan".to_owned(), "41".to_owned())]);
    let rep = compute_with(conn, staff, region, &names, r, mode).expect("report");
    serde_json::to_value(rep.view()).unwrap()
}

/// Every grouping, region-wide and for 姑苏's supervisor: the rollup's answer equals the facts'.
pub(crate) fn assert_exact(conn: &mut db::DbConn, region: &str, from: NaiveDate, to: NaiveDate) {
    let supervisor = hunyin_app::auth::Staff {
        id: 1,
        username: "sup".into(),
        display_name: "sup".into(),
        role: hunyin_domain::staff::Role::Supervisor,
        office_id: GUSU.into(),
        token_hash: String::new(),
        request_id: None,
    };
    for by in ["office", "day", "partner_region", "basis"] {
        let r = Request::parse(Some(&from.to_string()), Some(&to.to_string()), Some(by)).unwrap();
        for staff in [None, Some(&supervisor)] {
            let rolled = report(conn, staff, region, r, Mode::Rollup);
            let facts = report(conn, staff, region, r, Mode::Facts);
            assert_eq!(
                rolled,
                facts,
                "group_by={by}, supervisor={}",
                staff.is_some()
            );
        }
    }
}

fn shift_sql(conn: &db::DbConn) -> &'static str {
    // Each appointment's facts move back 1-3 days (by its id), the partner requests 2 days.
    match conn {
        db::DbConn::Sqlite(_) => {
            "UPDATE appointments SET created_at = datetime(created_at, '-' || (id % 3 + 1) || ' days'), \
                 updated_at = datetime(updated_at, '-' || (id % 3 + 1) || ' days') WHERE reference <> 'AP-OLD001'; \
             UPDATE refusals SET refused_at = datetime(refused_at, '-' || (appointment_id % 3 + 1) || ' days'); \
             UPDATE registration_facts SET registered_at = datetime(registered_at, '-' || (appointment_id % 3 + 1) || ' days') \
                 WHERE registered_at > '2025-01-01'; \
             UPDATE household_checks SET checked_at = datetime(checked_at, '-' || (appointment_id % 3 + 1) || ' days'); \
             UPDATE audit_events SET occurred_at = datetime(occurred_at, '-2 days');"
        }
        db::DbConn::Pg(_) => {
            "UPDATE appointments SET created_at = created_at - (id % 3 + 1) * interval '1 day', \
                 updated_at = updated_at - (id % 3 + 1) * interval '1 day' WHERE reference <> 'AP-OLD001'; \
             UPDATE refusals SET refused_at = refused_at - (appointment_id % 3 + 1) * interval '1 day'; \
             UPDATE registration_facts SET registered_at = registered_at - (appointment_id % 3 + 1) * interval '1 day' \
                 WHERE registered_at > '2025-01-01'; \
             UPDATE household_checks SET checked_at = checked_at - (appointment_id % 3 + 1) * interval '1 day'; \
             UPDATE audit_events SET occurred_at = occurred_at - interval '2 days';"
        }
    }
}

#[tokio::test]
async fn the_rollup_answers_what_the_facts_answer_before_and_after_a_late_fact() {
    let h = history().await;
    let mut conn = h.app.connect();
    // The history happened today; spread it over the three days before, as if it had happened
    // then, and log every day (what `hunyin statistics --rebuild` does after a correction).
    conn.batch_execute(shift_sql(&conn)).unwrap();
    statistics::relog_all(&mut conn).unwrap();
    let today = hunyin_app::clock::today();
    let (from, to) = (today - Duration::days(5), today);
    let built = statistics::catch_up(&mut conn, REGION, today, 1000).unwrap();
    assert!(built >= 3, "built {built} days");
    // The days that are over are clean now: their figures come from the rollup alone.
    let unclean =
        db::statistics_rollup::unclean_days(&mut conn, from, to - Duration::days(1), REGION)
            .unwrap();
    assert_eq!(unclean, vec![], "every past day built");
    assert_exact(&mut conn, REGION, from, to);
    let total = |conn: &mut db::DbConn| {
        let r = Request::parse(Some(&from.to_string()), Some(&to.to_string()), None).unwrap();
        report(conn, None, REGION, r, Mode::Rollup)["total"]["refusals"].clone()
    };
    let before = total(&mut conn);

    // A refusal written into a built day (a late commit, a corrected record): the day is dirty
    // at once, the report counts it, and the next catch-up builds the day again.
    let late = match conn {
        db::DbConn::Sqlite(_) => "datetime('now', '-2 days')",
        db::DbConn::Pg(_) => "now() - interval '2 days'",
    };
    conn.batch_execute(&format!(
        "INSERT INTO refusals (appointment_id, reason_code, note, refused_by, refused_at) \
         SELECT MIN(id), 'prohibited_kinship', '-', 1, {late} FROM appointments"
    ))
    .unwrap();
    assert_eq!(
        total(&mut conn),
        serde_json::json!(before.as_i64().unwrap() + 1)
    );
    assert_exact(&mut conn, REGION, from, to);
    assert!(statistics::catch_up(&mut conn, REGION, today, 1000).unwrap() >= 1);
    assert_exact(&mut conn, REGION, from, to);

    // Rows built for one region say nothing of another's "other region": counted from facts.
    assert_exact(&mut conn, "3205", from, to);
    // The 2022 registration of the history, built by the sweep or by the catch-up above.
    let old = NaiveDate::from_ymd_opt(2022, 5, 1).unwrap();
    assert_exact(&mut conn, REGION, old, old + Duration::days(30));
}

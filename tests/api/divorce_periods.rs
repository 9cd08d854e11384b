//! GET /v1/divorce/periods: the cooling-off and the issue window over HTTP, on both engines
//! (民法典 第1077条, 第201条, 第203条 over the shipped holiday calendar).

use serde_json::{json, Value};

use crate::support::{problem, spawn_app, TestApp};

async fn periods(app: &TestApp, query: &str) -> reqwest::Response {
    app.get(&format!("/v1/divorce/periods{query}")).await
}

#[tokio::test]
async fn divorce_periods_end_on_the_next_working_day_after_national_day() {
    let app = spawn_app().await;
    let resp = periods(&app, "?received_on=2025-09-01").await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(
        v,
        json!({
            "received_on": "2025-09-01",
            "cooling_off_ends": "2025-10-09",
            "issue_from": "2025-10-10",
            "issue_until": "2025-11-10",
        })
    );
}

#[tokio::test]
async fn divorce_periods_end_on_an_adjusted_working_day() {
    let app = spawn_app().await;
    let v: Value = periods(&app, "?received_on=2025-12-02")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["cooling_off_ends"], "2026-01-04", "the 调休 Sunday: {v}");
    assert_eq!(v["issue_until"], "2026-02-03", "{v}");
}

#[tokio::test]
async fn divorce_periods_name_a_missing_or_bad_received_on() {
    let app = spawn_app().await;
    for (query, code) in [
        ("", "missing_field"),
        ("?received_on=", "invalid_date"),
        ("?received_on=2025-02-30", "invalid_date"),
        ("?received_on=2025-9-1", "invalid_date"),
        ("?received_on=2025-09-01T00:00:00", "invalid_date"),
    ] {
        let resp = periods(&app, query).await;
        assert_eq!(resp.status(), 400, "{query}");
        let p = problem(resp).await;
        assert_eq!(p["code"], "invalid_request", "{query}: {p}");
        assert_eq!(
            p["invalid_params"],
            json!([{"name": "received_on", "code": code, "reason": p["invalid_params"][0]["reason"]}]),
            "{query}: {p}"
        );
    }
    let resp = periods(&app, "?received_on=2025-09-01&extra=1").await;
    assert_eq!(resp.status(), 400);
    assert_eq!(problem(resp).await["code"], "invalid_request");
}

#[tokio::test]
async fn divorce_periods_into_an_unpublished_year_are_refused_not_guessed() {
    let app = spawn_app().await;
    let resp = periods(&app, "?received_on=2026-12-01").await;
    assert_eq!(resp.status(), 422);
    let p = problem(resp).await;
    assert_eq!(p["code"], "holiday_calendar_unpublished", "{p}");
    assert_eq!(p["year"], 2027, "{p}");

    let resp = periods(&app, "?received_on=2020-12-31").await;
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["code"], "before_civil_code");
}

//! The couple's side of a divorce's two visits: booking the application visit, the issue visit
//! of a received application, and the slots of a day as the instance's schedule has them.

use chrono::NaiveDate;
use reqwest::Response;
use serde_json::{json, Value};

use super::app::TestApp;
use super::lib::slots_on;

/// The id of a slot of `office` starting at `start` (Shanghai), as the API spells it.
pub fn slot_at(office: &str, start: chrono::NaiveDateTime) -> String {
    format!("{office}.{}", start.format("%Y%m%dT%H%M"))
}

/// A slot at 09:00 on `day` (whether the office opens then or not: for refusals that come
/// before the schedule is read).
pub fn nine_on(office: &str, day: NaiveDate) -> String {
    slot_at(office, day.and_hms_opt(9, 0, 0).unwrap())
}

/// The first slot of the office's default schedule on a day after `after` and not after
/// `until` (the holiday calendar and special openings counted).
pub fn first_slot_between(
    app: &TestApp,
    office: &str,
    after: NaiveDate,
    until: NaiveDate,
) -> String {
    let s = &app.context.as_ref().expect("started here").scheduling;
    let mut day = after.succ_opt().unwrap();
    while day <= until {
        if let Some(t) = slots_on(&s.default_rule, &s.exceptions, &s.calendar, day).first() {
            return slot_at(office, t.start);
        }
        day = day.succ_opt().unwrap();
    }
    panic!("no slot of {office} in {after}..={until}");
}

/// `POST /v1/appointments` for the application visit of a divorce.
pub async fn book_divorce_visit(
    app: &TestApp,
    office: &str,
    slot: &str,
    parties: Value,
    emails: [&str; 2],
) -> Response {
    app.post_json(
        "/v1/appointments",
        &json!({
            "service": "divorce",
            "office_id": office,
            "slot_id": slot,
            "parties": parties,
            "contact": {"emails": emails},
        }),
    )
    .await
}

/// `POST /v1/divorce-applications/{reference}/issue-visit`.
pub async fn book_issue_visit(
    app: &TestApp,
    reference: &str,
    slot: &str,
    id_numbers: [&str; 2],
) -> Response {
    app.post_json(
        &format!("/v1/divorce-applications/{reference}/issue-visit"),
        &json!({ "slot_id": slot, "id_numbers": id_numbers }),
    )
    .await
}

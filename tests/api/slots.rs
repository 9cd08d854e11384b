//! Slot listing: ids, times in Shanghai, capacity, bad ranges, holidays.

use crate::support::{problem, spawn_app};

const OFFICE: &str = "sz-gusu";

#[tokio::test]
async fn slots_have_ids_times_in_shanghai_and_full_capacity() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    assert!(!slots.is_empty());
    let s = &slots[0];
    assert!(s["id"].as_str().unwrap().starts_with("sz-gusu."));
    assert!(s["start"].as_str().unwrap().ends_with("+08:00"));
    assert!(s["end"].as_str().unwrap().ends_with("+08:00"));
    assert_eq!(s["capacity"], 10);
    assert_eq!(s["remaining"], 10);
}

#[tokio::test]
async fn slot_listing_refuses_bad_ranges_and_unknown_offices() {
    let app = spawn_app().await;
    for (q, code) in [
        ("from=2026-13-01", "invalid_date"),
        ("from=2026-12-10&to=2026-12-01", "invalid_range"),
        ("from=2026-12-01&to=2027-03-01", "range_too_long"),
    ] {
        let resp = app.get(&format!("/v1/offices/{OFFICE}/slots?{q}")).await;
        assert_eq!(resp.status(), 400, "{q}");
        assert_eq!(
            problem(resp).await["invalid_params"][0]["code"],
            code,
            "{q}"
        );
    }
    let resp = app.get("/v1/offices/nowhere/slots").await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn no_slot_falls_on_a_public_holiday() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    for s in &slots {
        let day = &s["start"].as_str().unwrap()[..10];
        assert!(
            !["2027-01-01", "2026-12-05", "2026-12-06"].contains(&day),
            "{day} is a holiday or weekend"
        );
    }
}

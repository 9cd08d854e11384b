//! Pilot statistics: a known history on one instance of the suite's engine (bookings, a
//! cancellation, a no-show, walk-ins, local, cross-city and cross-province registrations, a
//! refusal, partner checks made and received), and readers of the figures.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use reqwest::Response;
use serde_json::{json, Value};

use super::app::TestApp;
use super::client::reference_and_token;
use super::counter::Counter;
use super::database::{add_resident, move_slot, slot_today};
use super::fixtures::{couple, id_number};
use super::lib::keys;
use super::partner::{verification_body, Forged, Jiangsu, KeyFile};
use super::proxy::free_port;

pub const GUSU: &str = "sz-gusu";
pub const HUQIU: &str = "sz-huqiu";

/// `GET /v1/registrar/statistics{query}`.
pub async fn get(app: &TestApp, token: &str, query: &str) -> Response {
    app.get_authed(&format!("/v1/registrar/statistics{query}"), token)
        .await
}

/// The statistics of `query` as JSON, which must be answered.
pub async fn json_of(app: &TestApp, token: &str, query: &str) -> Value {
    let resp = get(app, token, query).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// The group of key `key` (`None`: the group of no office).
pub fn group<'a>(v: &'a Value, key: Option<&str>) -> &'a Value {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"].as_str() == key)
        .unwrap_or_else(|| panic!("no group {key:?} in {v}"))
}

/// Checks the named figures of a group; every other count must be 0.
pub fn expect(g: &Value, figures: &[(&str, Value)]) {
    for key in [
        "appointments_booked",
        "walk_ins",
        "cancelled",
        "no_shows",
        "registrations",
        "registrations_local",
        "registrations_cross_city",
        "registrations_cross_province",
        "registrations_residence_permit_basis",
        "refusals",
        "partner_checks_made",
        "partner_checks_made_failed",
        "partner_checks_received",
        "partner_checks_received_refused",
        "check_overrides",
    ] {
        let want = figures
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or(json!(0));
        assert_eq!(g[key], want, "{key} of {g}");
    }
    for (k, v) in figures {
        assert_eq!(&g[*k], v, "{k} of {g}");
    }
}

/// The instance with its history, and the staff who read it.
pub struct History {
    pub app: TestApp,
    pub auditor: String,
    pub supervisor: String,
    _key: KeyFile,
}

/// The history's `n`th man or woman, with hukou `hukou`.
fn person(n: u32, hukou: &str, male: bool) -> String {
    id_number(
        hukou,
        &format!("19{:02}0{}1{}", 80 + n, 1 + n % 9, n % 3),
        male,
    )
}

/// Couple `n`, residents with hukou `his` and `hers` in the register, walks in at `desk`, is
/// checked and registered.
async fn registered_walk_in(desk: &Counter<'_>, n: u32, his: &str, hers: &str) {
    let (m, w) = (person(n, his, true), person(n, hers, false));
    add_resident(desk.app, &m, "王强", his, "unmarried");
    add_resident(desk.app, &w, "李娜", hers, "unmarried");
    let r = desk.walk_in(couple(&m, his, &w, hers)).await;
    desk.run_checks(&r).await;
    assert_eq!(desk.declare_and_register(&r).await.status(), 201);
}

/// Builds the history on one instance of the suite's engine.
pub async fn history() -> History {
    let closed = format!("http://127.0.0.1:{}", free_port());
    let Jiangsu { app, key, henan } =
        Jiangsu::knowing_henan_with(&closed, &["household_verification"], |s| {
            s.partner.retries = 0;
        });
    let desk = Counter::open(&app, GUSU).await;
    // A, D, E: three bookings at 姑苏 by local couples.
    let slots = app.slots(GUSU).await;
    let mut booked = Vec::new();
    for n in 0..3u32 {
        let (m, w) = (person(n, "320508", true), person(n, "320508", false));
        add_resident(&app, &m, "王强", "320508", "unmarried");
        add_resident(&app, &w, "李娜", "320508", "unmarried");
        let slot = slots[n as usize]["id"].as_str().unwrap().to_owned();
        let v = app
            .booked(GUSU, &slot, couple(&m, "320508", &w, "320508"))
            .await;
        let (reference, token) = reference_and_token(&v);
        booked.push((slot, reference.to_owned(), token.to_owned()));
    }
    // A registers today.
    slot_today(&app, &booked[0].0);
    let a = &booked[0].1;
    assert_eq!(desk.check_in(a).await.status(), 200);
    assert_eq!(desk.run_checks(a).await["cleared"], true);
    assert_eq!(desk.declare_and_register(a).await.status(), 201);
    // D cancels.
    let resp = app.cancel(&booked[1].1, &booked[1].2).await;
    assert!(resp.status().is_success());
    // E does not come: its slot ended an hour ago, and the sweep marks it.
    let now = chrono::Utc::now().naive_utc();
    let minutes = chrono::Duration::minutes;
    move_slot(&app, &booked[2].0, now - minutes(90), now - minutes(60));
    // B: a walk-in with a 河南 party, whose instance is down: manual verification, registered.
    let (m, w) = (person(4, "320508", true), person(4, "410105", false));
    add_resident(&app, &m, "王强", "320508", "unmarried");
    let b = desk.walk_in(couple(&m, "320508", &w, "410105")).await;
    assert_eq!(
        desk.run_checks(&b).await["checks"][1]["outcome"],
        "unavailable"
    );
    let manual = desk
        .verify_manually(&b, 1, "unmarried", "户口簿 seen")
        .await;
    assert_eq!(manual.status(), 201);
    assert_eq!(desk.declare_and_register(&b).await.status(), 201);
    // C: a walk-in of 南京 and 徐州 residents at 苏州: cross-city.
    registered_walk_in(&desk, 5, "320102", "320302").await;
    // F: a walk-in refused.
    let (m, w) = (person(6, "320508", true), person(6, "320508", false));
    let f = desk.walk_in(couple(&m, "320508", &w, "320508")).await;
    let resp = desk.refuse(&f, "under_age", "男方未满22周岁").await;
    assert_eq!(resp.status(), 201);
    // G: a local walk-in at 虎丘 (same city as 姑苏's residents).
    registered_walk_in(&Counter::open(&app, HUQIU).await, 7, "320505", "320508").await;
    // 河南 asks twice: once answered, once refused (a bad signature).
    let asks = || {
        let body = verification_body(&person(0, "320508", true));
        Forged::new(&henan, "/v1/partner/household-verifications", Some(body))
    };
    assert_eq!(asks().send(&app).await.status(), 200);
    let mut bad = asks();
    bad.key = keys::generate().unwrap();
    assert_eq!(bad.send(&app).await.status(), 401);
    // A registration of the 2022 pilot, on a 居住证 (the 2025 rules give every couple a hukou
    // basis, so the API can no longer make one).
    app.connect()
        .batch_execute(
            "INSERT INTO appointments (reference, manage_token_hash, office_id, slot_id, status, contact_email, sequence, created_at, updated_at) \
             VALUES ('AP-OLD001', 'x', 'sz-gusu', NULL, 'registered', '', 0, '2022-05-17 01:00:00', '2022-05-20 01:00:00'); \
             INSERT INTO registration_facts (appointment_id, office_id, registered_at, wait_seconds, basis, category, other_region) \
             SELECT id, 'sz-gusu', '2022-05-20 01:00:00', 259200, 'residence_permit', 'cross_province', '61' FROM appointments WHERE reference = 'AP-OLD001';",
        )
        .unwrap();
    // Wait for the no-show sweep.
    for _ in 0..100 {
        let shown: Value = desk
            .get_application(&booked[2].1)
            .await
            .json()
            .await
            .unwrap();
        if shown["status"] == "no_show" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let auditor = app.auditor(GUSU).await;
    let supervisor = app.supervisor(GUSU).await;
    History {
        app,
        auditor,
        supervisor,
        _key: key,
    }
}

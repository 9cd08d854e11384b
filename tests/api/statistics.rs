//! Pilot statistics: a known history (bookings, a cancellation, a no-show, walk-ins, local,
//! cross-city and cross-province registrations, a refusal, partner checks made and received)
//! and every figure checked exactly, grouped four ways; the CSV round-trips; the chart parses.

use std::sync::Arc;

use diesel::connection::SimpleConnection;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    add_resident, id_number, party, problem, slot_today, spawn_app_on, TestApp, TestDb,
};
use crate::partner::{
    configure, declare_and_register, free_port, peer, post, run_checks, send, verification_body,
    walk_in, Forged, KeyFile,
};

const GUSU: &str = "sz-gusu";
const HUQIU: &str = "sz-huqiu";

fn today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8))
        .date_naive()
        .to_string()
}

async fn get(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    app.authed(
        Method::GET,
        &format!("/v1/registrar/statistics{query}"),
        token,
    )
    .send()
    .await
    .unwrap()
}

async fn json_of(app: &TestApp, token: &str, query: &str) -> Value {
    let resp = get(app, token, query).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

fn group<'a>(v: &'a Value, key: Option<&str>) -> &'a Value {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"].as_str() == key)
        .unwrap_or_else(|| panic!("no group {key:?} in {v}"))
}

/// Checks the named figures of a group; every other count must be 0.
fn expect(g: &Value, figures: &[(&str, Value)]) {
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

struct History {
    app: TestApp,
    auditor: String,
    supervisor: String,
    _keys: KeyFile,
}

/// Builds the history on one instance of the suite's engine.
async fn history() -> History {
    let own = KeyFile::new();
    let henan = hunyin::partner::keys::generate().unwrap();
    let closed = format!("http://127.0.0.1:{}", free_port());
    let db = Arc::new(TestDb::create());
    let app = spawn_app_on(db.clone(), db.url(), |s| {
        let ha = peer(
            "henan",
            &["41"],
            &closed,
            "henan-test",
            &henan,
            &["household_verification"],
        );
        configure(s, "32", "jiangsu-test", &own, vec![ha]);
        s.partner.retries = 0;
    });
    let token = app.registrar(GUSU).await;
    let person = |n: u32, hukou: &str, male: bool| {
        id_number(
            hukou,
            &format!("19{:02}0{}1{}", 80 + n, 1 + n % 9, n % 3),
            male,
        )
    };
    // A, D, E: three bookings at 姑苏 by local couples.
    let slots = app.slots(GUSU).await;
    let mut booked = Vec::new();
    for n in 0..3u32 {
        let (m, w) = (person(n, "320508", true), person(n, "320508", false));
        add_resident(&app, &m, "王强", "320508", "unmarried");
        add_resident(&app, &w, "李娜", "320508", "unmarried");
        let slot = slots[n as usize]["id"].as_str().unwrap().to_owned();
        let parties = json!([
            party(&m, "王强", "320508", None),
            party(&w, "李娜", "320508", None)
        ]);
        let resp = app.book(GUSU, &slot, parties).await;
        assert_eq!(resp.status(), 201);
        let v: Value = resp.json().await.unwrap();
        booked.push((
            slot,
            v["reference"].as_str().unwrap().to_owned(),
            v["manage_token"].as_str().unwrap().to_owned(),
        ));
    }
    // A registers today.
    slot_today(&app, &booked[0].0);
    let a = &booked[0].1;
    let resp = app
        .authed(
            Method::POST,
            &format!("/v1/registrar/applications/{a}/check-in"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(run_checks(&app, &token, a).await["cleared"], true);
    assert_eq!(declare_and_register(&app, &token, a).await.status(), 201);
    // D cancels.
    let resp = app
        .appointment(Method::DELETE, &booked[1].1, Some(&booked[1].2))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    // E does not come: its slot ended an hour ago, and the sweep marks it.
    let now = chrono::Utc::now().naive_utc();
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    app.connect()
        .batch_execute(&format!(
            "UPDATE slots SET starts_at = '{}', ends_at = '{}' WHERE id = '{}'",
            fmt(now - chrono::Duration::minutes(90)),
            fmt(now - chrono::Duration::minutes(60)),
            booked[2].0
        ))
        .unwrap();
    // B: a walk-in with a 河南 party, whose instance is down: manual verification, registered.
    let (m, w) = (person(4, "320508", true), person(4, "410105", false));
    add_resident(&app, &m, "王强", "320508", "unmarried");
    let b = walk_in(
        &app,
        &token,
        GUSU,
        json!([
            party(&m, "王强", "320508", None),
            party(&w, "李娜", "410105", None)
        ]),
    )
    .await;
    assert_eq!(
        run_checks(&app, &token, &b).await["checks"][1]["outcome"],
        "unavailable"
    );
    let manual = json!({"party": 1, "marital_status": "unmarried", "note": "户口簿 seen"});
    let path = format!("/v1/registrar/applications/{b}/manual-verifications");
    assert_eq!(post(&app, &token, &path, manual).await.status(), 201);
    assert_eq!(declare_and_register(&app, &token, &b).await.status(), 201);
    // C: a walk-in of 南京 and 徐州 residents at 苏州: cross-city.
    let (m, w) = (person(5, "320102", true), person(5, "320302", false));
    add_resident(&app, &m, "王强", "320102", "unmarried");
    add_resident(&app, &w, "李娜", "320302", "unmarried");
    let c = walk_in(
        &app,
        &token,
        GUSU,
        json!([
            party(&m, "王强", "320102", None),
            party(&w, "李娜", "320302", None)
        ]),
    )
    .await;
    run_checks(&app, &token, &c).await;
    assert_eq!(declare_and_register(&app, &token, &c).await.status(), 201);
    // F: a walk-in refused.
    let (m, w) = (person(6, "320508", true), person(6, "320508", false));
    let f = walk_in(
        &app,
        &token,
        GUSU,
        json!([
            party(&m, "王强", "320508", None),
            party(&w, "李娜", "320508", None)
        ]),
    )
    .await;
    let path = format!("/v1/registrar/applications/{f}/refusal");
    let resp = post(
        &app,
        &token,
        &path,
        json!({"reason_code": "under_age", "note": "男方未满22周岁"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    // G: a local walk-in at 虎丘 (same city as 姑苏's residents).
    let huqiu = app.registrar(HUQIU).await;
    let (m, w) = (person(7, "320505", true), person(7, "320508", false));
    add_resident(&app, &m, "王强", "320505", "unmarried");
    add_resident(&app, &w, "李娜", "320508", "unmarried");
    let g = walk_in(
        &app,
        &huqiu,
        HUQIU,
        json!([
            party(&m, "王强", "320505", None),
            party(&w, "李娜", "320508", None)
        ]),
    )
    .await;
    run_checks(&app, &huqiu, &g).await;
    assert_eq!(declare_and_register(&app, &huqiu, &g).await.status(), 201);
    // 河南 asks twice: once answered, once refused (a bad signature).
    let path = "/v1/partner/household-verifications";
    let ok = Forged::new(
        &henan,
        path,
        Some(verification_body(&person(0, "320508", true))),
    );
    assert_eq!(
        send(&app, "POST", path, &ok.headers(&app), &ok.body)
            .await
            .status(),
        200
    );
    let mut bad = Forged::new(
        &henan,
        path,
        Some(verification_body(&person(0, "320508", true))),
    );
    bad.key = hunyin::partner::keys::generate().unwrap();
    assert_eq!(
        send(&app, "POST", path, &bad.headers(&app), &bad.body)
            .await
            .status(),
        401
    );
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
        let status: Value = app
            .authed(
                Method::GET,
                &format!("/v1/registrar/applications/{}", booked[2].1),
                &token,
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["status"] == "no_show" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.add_staff(GUSU, "auditor", "js-auditor", "auditor-password");
    let auditor = app.sign_in("js-auditor", "auditor-password").await;
    app.add_staff(GUSU, "supervisor", "js-super", "supervisor-password");
    let supervisor = app.sign_in("js-super", "supervisor-password").await;
    History {
        app,
        auditor,
        supervisor,
        _keys: own,
    }
}

#[tokio::test]
async fn every_figure_of_a_known_history_is_exact() {
    let h = history().await;
    let (app, day) = (&h.app, today());
    let range = format!("?from={day}&to={day}");

    // By office, for the auditor (the whole region).
    let v = json_of(app, &h.auditor, &range).await;
    assert_eq!(v["scope"], json!({"region_prefix": "32"}));
    let gusu = group(&v, Some(GUSU));
    expect(
        gusu,
        &[
            ("appointments_booked", json!(3)),
            ("walk_ins", json!(3)),
            ("cancelled", json!(1)),
            ("no_shows", json!(1)),
            ("registrations", json!(3)),
            ("registrations_local", json!(1)),
            ("registrations_cross_city", json!(1)),
            ("registrations_cross_province", json!(1)),
            ("cross_province_by_region", json!({"41": 1})),
            ("refusals", json!(1)),
            ("refusals_by_reason", json!({"under_age": 1})),
            ("partner_checks_made", json!(1)),
            ("partner_checks_made_failed", json!(1)),
            ("partner_checks_made_failure_rate", json!(1.0)),
            ("mean_wait_days", json!(0.0)),
        ],
    );
    expect(
        group(&v, Some(HUQIU)),
        &[
            ("walk_ins", json!(1)),
            ("registrations", json!(1)),
            ("registrations_local", json!(1)),
        ],
    );
    // Requests partners made concern no office.
    expect(
        group(&v, None),
        &[
            ("partner_checks_received", json!(2)),
            ("partner_checks_received_refused", json!(1)),
            ("partner_checks_received_failure_rate", json!(0.5)),
        ],
    );
    expect(
        &v["total"],
        &[
            ("appointments_booked", json!(3)),
            ("walk_ins", json!(4)),
            ("cancelled", json!(1)),
            ("no_shows", json!(1)),
            ("registrations", json!(4)),
            ("registrations_local", json!(2)),
            ("registrations_cross_city", json!(1)),
            ("registrations_cross_province", json!(1)),
            ("refusals", json!(1)),
            ("partner_checks_made", json!(1)),
            ("partner_checks_made_failed", json!(1)),
            ("partner_checks_received", json!(2)),
            ("partner_checks_received_refused", json!(1)),
        ],
    );
    assert_eq!(v["groups"].as_array().unwrap().len(), 3);

    // The supervisor sees the own office only.
    let v = json_of(app, &h.supervisor, &range).await;
    assert_eq!(v["scope"], json!({"office_id": GUSU}));
    assert_eq!(v["groups"].as_array().unwrap().len(), 1);
    assert_eq!(v["total"]["registrations"], 3);
    assert_eq!(v["total"]["partner_checks_received"], 0);

    // By partner region: local, and 河南 (41) for B's registration, B's check and the requests
    // 河南 made.
    let v = json_of(app, &h.auditor, &format!("{range}&group_by=partner_region")).await;
    expect(
        group(&v, Some("local")),
        &[
            ("appointments_booked", json!(3)),
            ("walk_ins", json!(3)),
            ("cancelled", json!(1)),
            ("no_shows", json!(1)),
            ("registrations", json!(3)),
            ("registrations_local", json!(2)),
            ("registrations_cross_city", json!(1)),
            ("refusals", json!(1)),
        ],
    );
    expect(
        group(&v, Some("41")),
        &[
            ("walk_ins", json!(1)),
            ("registrations", json!(1)),
            ("registrations_cross_province", json!(1)),
            ("partner_checks_made", json!(1)),
            ("partner_checks_made_failed", json!(1)),
            ("partner_checks_received", json!(2)),
            ("partner_checks_received_refused", json!(1)),
        ],
    );

    // By day: all of it today.
    let v = json_of(app, &h.auditor, &format!("{range}&group_by=day")).await;
    assert_eq!(v["groups"].as_array().unwrap().len(), 1);
    assert_eq!(group(&v, Some(&day))["registrations"], 4);

    // By basis, over May 2022: the 居住证 registration of the pilot, waiting 3 days.
    let v = json_of(
        app,
        &h.auditor,
        "?from=2022-05-01&to=2022-05-31&group_by=basis",
    )
    .await;
    expect(
        group(&v, Some("residence_permit")),
        &[
            ("registrations", json!(1)),
            ("registrations_cross_province", json!(1)),
            ("registrations_residence_permit_basis", json!(1)),
            ("cross_province_by_region", json!({"61": 1})),
            ("mean_wait_days", json!(3.0)),
        ],
    );
    let v = json_of(app, &h.auditor, &format!("{range}&group_by=basis")).await;
    assert_eq!(group(&v, Some("hukou"))["registrations"], 4);

    // Refused: a registrar; bad parameters.
    let registrar = app.registrar(GUSU).await;
    assert_eq!(
        problem(get(app, &registrar, &range).await).await["code"],
        "forbidden_role"
    );
    for (q, field) in [
        ("?group_by=city", "group_by"),
        ("?from=2026-02-30", "from"),
        ("?from=2026-03-01&to=2026-02-01", "from"),
        ("?from=2024-01-01&to=2026-01-01", "to"),
    ] {
        let p = problem(get(app, &h.auditor, q).await).await;
        assert_eq!(p["invalid_params"][0]["name"], field, "{q}");
    }
    let p = problem(get(app, &h.auditor, "?bogus=1").await).await;
    assert_eq!(p["code"], "invalid_request");

    // The same as CSV: a BOM, Chinese headers, and the JSON's figures.
    let resp = app
        .authed(
            Method::GET,
            &format!("/v1/registrar/statistics{range}"),
            &h.auditor,
        )
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "分组 office");
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let json = json_of(app, &h.auditor, &range).await;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.ends_with(name))
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let gusu_row = rows.iter().find(|r| r[0] == GUSU).unwrap();
    let total_row = rows.last().unwrap();
    assert_eq!(total_row[0], "合计 total");
    for name in [
        "appointments_booked",
        "walk_ins",
        "cancelled",
        "no_shows",
        "registrations",
        "refusals",
    ] {
        let csv_name = match name {
            "appointments_booked" => "booked",
            n => n,
        };
        assert_eq!(
            gusu_row[col(&format!(" {csv_name}"))],
            group(&json, Some(GUSU))[name].to_string(),
            "{name}"
        );
        assert_eq!(
            total_row[col(&format!(" {csv_name}"))],
            json["total"][name].to_string(),
            "{name}"
        );
    }
    assert_eq!(gusu_row[col("refusal:under_age")], "1");
    assert_eq!(gusu_row[col("cross_province:41")], "1");
    assert_eq!(rows.len(), 4, "three groups and the total");
}

#[tokio::test]
async fn the_chart_renders_for_an_empty_and_a_busy_range() {
    let h = history().await;
    let day = today();
    for range in [
        "?from=2021-06-01&to=2021-06-30".to_owned(),
        format!("?from={day}&to={day}"),
    ] {
        let resp = h
            .app
            .authed(
                Method::GET,
                &format!("/v1/registrar/statistics/chart.svg{range}"),
                &h.auditor,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "image/svg+xml");
        let svg = resp.text().await.unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("the chart is XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.is_element())
            .filter_map(|n| n.text())
            .collect();
        for series in ["local 本地", "cross-city 省内跨市", "cross-province 跨省"] {
            assert_eq!(
                texts.iter().filter(|t| t.trim() == series).count(),
                1,
                "{series} in {range}"
            );
        }
        // Bars of height > 0 appear only in the busy range.
        let bars = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "rect")
            .filter(|n| {
                n.attribute("fill") == Some("#C62828") || n.attribute("fill") == Some("#2E7D32")
            })
            .filter(|n| {
                n.attribute("height")
                    .and_then(|h| h.parse::<f64>().ok())
                    .is_some_and(|h| h > 0.0)
            })
            .count();
        if range.contains("2021") {
            assert_eq!(bars, 2, "only the two legend swatches");
        } else {
            assert!(bars > 2, "{bars} bars");
        }
    }
}

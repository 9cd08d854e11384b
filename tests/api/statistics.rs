//! Pilot statistics: every figure of a known history (see `support::statistics`) checked
//! exactly, grouped four ways, for the auditor and the supervisor; refused requests.

use serde_json::json;

use crate::support::statistics::{expect, get, group, history, json_of, GUSU, HUQIU};
use crate::support::{problem, today};

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
}

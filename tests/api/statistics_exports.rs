//! Pilot statistics exported: the CSV round-trips the JSON's figures; the chart parses.

use reqwest::Method;

use crate::support::statistics::{group, history, json_of, GUSU};
use crate::support::today;

#[tokio::test]
async fn the_csv_export_carries_the_json_figures() {
    let h = history().await;
    let (app, day) = (&h.app, today());
    let range = format!("?from={day}&to={day}");
    // The CSV: a BOM, Chinese headers, and the JSON's figures.
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

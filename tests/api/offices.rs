//! GET /v1/offices and /v1/offices/{office_id}.

use serde_json::Value;

use crate::support::{office_ids, problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_jiangsu_instance_lists_its_demo_offices_in_three_cities_or_more() {
    let app = spawn_app().await;
    let resp = app.get("/v1/offices").await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    let offices = v["offices"].as_array().unwrap();
    let mut cities: Vec<&str> = offices
        .iter()
        .map(|o| &o["division_code"].as_str().unwrap()[..4])
        .collect();
    cities.dedup();
    assert!(cities.len() >= 3, "{cities:?}");
    assert!(offices
        .iter()
        .all(|o| o["division_code"].as_str().unwrap().starts_with("32")));
    let gusu = offices.iter().find(|o| o["id"] == "sz-gusu").unwrap();
    assert_eq!(gusu["division_name"], "姑苏区");
    for key in ["name", "address", "phone"] {
        assert!(gusu[key].is_string());
    }
}

#[tokio::test]
async fn offices_filter_by_division_prefix() {
    let app = spawn_app().await;
    let v: Value = app
        .get("/v1/offices?division_prefix=3205")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(office_ids(&v), vec!["sz-gusu", "sz-huqiu"]);
}

#[tokio::test]
async fn bad_prefix_and_unknown_query_keys_are_400() {
    let app = spawn_app().await;
    for q in ["division_prefix=3", "division_prefix=32a", "colour=red"] {
        let resp = app.get(&format!("/v1/offices?{q}")).await;
        assert_eq!(resp.status(), 400, "{q}");
        assert_eq!(problem(resp).await["code"], "invalid_request");
    }
}

#[tokio::test]
async fn one_office_by_id_or_404() {
    let app = spawn_app().await;
    let v: Value = app.get("/v1/offices/nj-xuanwu").await.json().await.unwrap();
    assert_eq!(v["division_code"], "320102");
    let resp = app.get("/v1/offices/nowhere").await;
    assert_eq!(resp.status(), 404);
    assert_eq!(problem(resp).await["code"], "not_found");
}

#[tokio::test]
async fn a_henan_instance_seeds_henan_offices_only() {
    let app = spawn_app_with(|s| s.instance.region_prefix = "41".into());
    let v: Value = app.get("/v1/offices").await.json().await.unwrap();
    let offices = v["offices"].as_array().unwrap();
    assert!(!offices.is_empty());
    assert!(offices
        .iter()
        .all(|o| o["division_code"].as_str().unwrap().starts_with("41")));
}

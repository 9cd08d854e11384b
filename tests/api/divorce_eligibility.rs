//! POST /v1/eligibility with `"service": "divorce"` (domain brief §8b, §8c), over HTTP, on both
//! engines: the jurisdiction of the divorce timeline, no age or sex condition, the documents of
//! the date's period, the same answer shape and problem codes as a marriage.

use serde_json::{json, Value};

use crate::support::{id_number, office_ids, party, problem, spawn_app, TestApp};

async fn check(app: &TestApp, body: Value) -> Value {
    let resp = app.post_eligibility(&body).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

fn codes(v: &Value, list: &str) -> Vec<(String, Value)> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"].as_str().unwrap().to_owned(), p["party"].clone()))
        .collect()
}

/// A 河南 man and an 安徽 woman; she holds a 苏州 姑苏区 permit valid through 2030.
fn couple_with_suzhou_permit() -> Value {
    json!([
        party(
            &id_number("410105", "19950310", true),
            "王强",
            "410105",
            None
        ),
        party(
            &id_number("340102", "19960520", false),
            "李娜",
            "340102",
            Some(("320508", "2030-12-31"))
        ),
    ])
}

#[tokio::test]
async fn divorce_by_permit_in_jiangsu_waits_for_2023_06_01_while_marriage_did_not() {
    let app = spawn_app().await;
    let ask = |service: &str, date: &str| json!({"service": service, "date": date, "parties": couple_with_suzhou_permit()});
    let marriage = check(&app, ask("marriage", "2023-05-31")).await;
    assert_eq!(marriage["eligible"], true, "{marriage}");
    let before = check(&app, ask("divorce", "2023-05-31")).await;
    assert_eq!(before["eligible"], false, "{before}");
    assert_eq!(
        codes(&before, "problems"),
        vec![("no_jurisdiction".into(), Value::Null)]
    );
    assert!(
        before["problems"][0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("离婚登记"),
        "{before}"
    );
    let on = check(&app, ask("divorce", "2023-06-01")).await;
    assert_eq!(on["eligible"], true, "{on}");
    assert_eq!(
        on["bases"],
        json!([{"party": 1, "basis": "residence_permit", "division_code": "320508"}])
    );
    assert_eq!(office_ids(&on), vec!["sz-gusu", "sz-huqiu"]);
    // The same keys as a marriage's answer.
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&on), keys(&marriage));
    // 婚姻登记条例 (2003) 第11条 and the permit of the basis; no declaration, no joint photos.
    assert_eq!(
        codes(&on, "documents"),
        vec![
            ("id_card".into(), json!(0)),
            ("hukou_booklet".into(), json!(0)),
            ("marriage_certificate".into(), json!(0)),
            ("id_card".into(), json!(1)),
            ("hukou_booklet".into(), json!(1)),
            ("marriage_certificate".into(), json!(1)),
            ("residence_permit".into(), json!(1)),
            ("divorce_agreement".into(), Value::Null),
        ]
    );
}

#[tokio::test]
async fn divorce_from_2025_05_10_needs_no_hukou_booklet_and_asks_no_age() {
    let app = spawn_app().await;
    // Two young men from 新疆 and 云南: under marriageable age and of one sex, which a marriage
    // refuses; a divorce judges neither.
    let parties = json!([
        party(&id_number("650102", "20050101", true), "甲", "650102", None),
        party(&id_number("530102", "20060101", true), "乙", "530102", None),
    ]);
    let marriage = check(&app, json!({"date": "2025-06-01", "parties": parties})).await;
    assert!(codes(&marriage, "problems")
        .iter()
        .any(|(c, _)| c == "same_sex"));
    let v = check(
        &app,
        json!({"service": "divorce", "date": "2025-06-01", "parties": parties}),
    )
    .await;
    assert_eq!(v["eligible"], true, "{v}");
    let docs = codes(&v, "documents");
    assert!(!docs.iter().any(|(c, _)| c == "hukou_booklet"), "{v}");
    assert!(docs.contains(&("marriage_certificate".into(), json!(1))));
    assert!(docs.contains(&("divorce_agreement".into(), Value::Null)));
}

#[tokio::test]
async fn divorce_of_one_person_twice_is_same_person() {
    let app = spawn_app().await;
    let one = party(
        &id_number("320508", "19900101", true),
        "张三",
        "320508",
        None,
    );
    let v = check(
        &app,
        json!({"service": "divorce", "date": "2024-01-02", "parties": [one.clone(), one]}),
    )
    .await;
    assert_eq!(v["eligible"], false);
    assert_eq!(
        codes(&v, "problems"),
        vec![("same_person".into(), Value::Null)]
    );
    assert_eq!(v["problems"][0]["rule"], "民法典 第1076条");
}

#[tokio::test]
async fn an_unknown_service_is_400_naming_it() {
    let app = spawn_app().await;
    for service in [json!("remarriage"), json!(""), json!(1)] {
        let resp = app
            .post_eligibility(&json!({"service": service, "parties": couple_with_suzhou_permit()}))
            .await;
        assert_eq!(resp.status(), 400, "{service}");
        let p = problem(resp).await;
        let params = p["invalid_params"].as_array().unwrap();
        assert!(params.iter().any(|x| x["name"] == "service"), "{p}");
    }
}

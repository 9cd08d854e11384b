//! POST /v1/eligibility through the scenarios of the domain brief, over HTTP, on both engines.

use serde_json::{json, Value};

use crate::support::{id_number, office_ids, party, problem, spawn_app, TestApp};

/// The man: 河南 hukou (郑州 金水区), born 1995-03-10.
fn henan_man() -> String {
    id_number("410105", "19950310", true)
}

/// The woman: 安徽 hukou (合肥), born 1996-05-20.
fn anhui_woman() -> String {
    id_number("340102", "19960520", false)
}

async fn check(app: &TestApp, body: Value) -> Value {
    let resp = app.post_eligibility(&body).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

fn problem_codes(v: &Value) -> Vec<String> {
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn cross_province_couple_with_a_suzhou_permit_may_register_in_suzhou() {
    let app = spawn_app().await;
    let v = check(
        &app,
        json!({
            "date": "2021-06-01",
            "parties": [
                party(&henan_man(), "王强", "410105", None),
                party(&anhui_woman(), "李娜", "340102", Some(("320508", "2022-12-31"))),
            ]
        }),
    )
    .await;
    assert_eq!(v["eligible"], true, "{v}");
    assert_eq!(
        v["bases"],
        json!([{"party": 1, "basis": "residence_permit", "division_code": "320508"}])
    );
    // 姑苏区 and 虎丘区 are both in 苏州: Jiangsu's permit scope is the city.
    assert_eq!(office_ids(&v), vec!["sz-gusu", "sz-huqiu"]);
    let docs: Vec<(&str, Value)> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["party"].clone()))
        .collect();
    assert!(docs.contains(&("residence_permit", json!(1))));
    assert!(docs.contains(&("hukou_booklet", json!(0))));
    assert!(docs.contains(&("joint_photos", Value::Null)));
    assert_eq!(v["problems"], json!([]));
}

#[tokio::test]
async fn the_same_couple_the_day_before_the_pilot_has_no_jurisdiction() {
    let app = spawn_app().await;
    let v = check(
        &app,
        json!({
            "date": "2021-05-31",
            "parties": [
                party(&henan_man(), "王强", "410105", None),
                party(&anhui_woman(), "李娜", "340102", Some(("320508", "2022-12-31"))),
            ]
        }),
    )
    .await;
    assert_eq!(v["eligible"], false);
    assert_eq!(problem_codes(&v), vec!["no_jurisdiction"]);
    assert_eq!(v["offices"], json!([]));
}

#[tokio::test]
async fn asking_about_one_office_answers_for_that_office() {
    let app = spawn_app().await;
    let body = |office: &str| {
        json!({
            "date": "2022-03-01",
            "office_id": office,
            "parties": [
                party(&henan_man(), "王强", "410105", None),
                party(&anhui_woman(), "李娜", "340102", Some(("320508", "2022-12-31"))),
            ]
        })
    };
    let gusu = check(&app, body("sz-gusu")).await;
    assert_eq!(gusu["eligible"], true);
    assert_eq!(gusu["offices"][0]["id"], "sz-gusu");
    // 南京 is another city of Jiangsu: the 苏州 permit does not reach it.
    let nanjing = check(&app, body("nj-xuanwu")).await;
    assert_eq!(nanjing["eligible"], false);
    assert_eq!(
        problem_codes(&nanjing),
        vec!["residence_permit_out_of_scope", "no_jurisdiction"]
    );
    assert_eq!(nanjing["problems"][0]["party"], 1);
}

#[tokio::test]
async fn an_expired_permit_is_named() {
    let app = spawn_app().await;
    let v = check(
        &app,
        json!({
            "date": "2022-04-01",
            "office_id": "sz-gusu",
            "parties": [
                party(&henan_man(), "王强", "410105", None),
                party(&anhui_woman(), "李娜", "340102", Some(("320508", "2022-03-31"))),
            ]
        }),
    )
    .await;
    assert_eq!(
        problem_codes(&v),
        vec!["residence_permit_expired", "no_jurisdiction"]
    );
    assert!(v["problems"][0]["rule"]
        .as_str()
        .unwrap()
        .contains("居住证暂行条例"));
}

#[tokio::test]
async fn jiangsu_hukou_registers_at_any_jiangsu_office() {
    let app = spawn_app().await;
    let v = check(
        &app,
        json!({
            "date": "2022-05-20",
            "parties": [
                party(&id_number("320321", "19900101", true), "赵伟", "320321", None),
                party(&anhui_woman(), "李娜", "340102", None),
            ]
        }),
    )
    .await;
    assert_eq!(v["eligible"], true);
    assert_eq!(
        v["offices"].as_array().unwrap().len(),
        5,
        "every demo office of 江苏"
    );
}

#[tokio::test]
async fn legal_conditions_are_reported_with_citations() {
    let app = spawn_app().await;
    let young_man = id_number("320508", "20000615", true);
    let v = check(
        &app,
        json!({
            "date": "2022-06-14",
            "parties": [
                party(&young_man, "小王", "320508", None),
                party(&anhui_woman(), "李娜", "340102", None),
            ]
        }),
    )
    .await;
    assert_eq!(problem_codes(&v), vec!["under_age"]);
    assert_eq!(v["problems"][0]["rule"], "民法典 第1047条");
    assert_eq!(v["problems"][0]["party"], 0);

    let same = check(
        &app,
        json!({"date": "2022-06-14", "parties": [
            party(&henan_man(), "王强", "320508", None),
            party(&henan_man(), "王强", "320508", None),
        ]}),
    )
    .await;
    assert_eq!(problem_codes(&same), vec!["same_person"]);

    let two_men = check(
        &app,
        json!({"date": "2022-06-14", "parties": [
            party(&henan_man(), "王强", "410105", None),
            party(&id_number("320508", "19900101", true), "赵伟", "320508", None),
        ]}),
    )
    .await;
    assert_eq!(problem_codes(&two_men), vec!["same_sex"]);
}

#[tokio::test]
async fn a_date_before_every_period_is_outside_policy() {
    let app = spawn_app().await;
    let v = check(
        &app,
        json!({"date": "2003-09-30", "parties": [
            party(&id_number("320508", "19700101", true), "王", "320508", None),
            party(&id_number("320508", "19720101", false), "李", "320508", None),
        ]}),
    )
    .await;
    assert_eq!(problem_codes(&v), vec!["outside_policy_period"]);
}

#[tokio::test]
async fn date_defaults_to_today_in_shanghai() {
    let app = spawn_app().await;
    let v = check(
        &app,
        json!({"parties": [
            party(&henan_man(), "王强", "320508", None),
            party(&anhui_woman(), "李娜", "340102", None),
        ]}),
    )
    .await;
    assert_eq!(v["eligible"], true, "{v}");
}

/// Structurally bad input: 400 problem+json naming each field and its code.
#[tokio::test]
async fn bad_fields_are_400_with_their_paths_and_codes() {
    let app = spawn_app().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"parties": []}), "parties", "not_two_parties"),
        (
            json!({"parties": [party(&henan_man(), "王", "410105", None)]}),
            "parties",
            "not_two_parties",
        ),
        (
            json!({"date": "2022-13-01", "parties": [
                party(&henan_man(), "王", "410105", None), party(&anhui_woman(), "李", "340102", None)]}),
            "date",
            "invalid_date",
        ),
        (
            json!({"parties": [
                party(&henan_man(), "王", "410105", None),
                party("110105194912310021", "李", "340102", None)]}),
            "parties[1].id_number",
            "invalid_id_number",
        ),
        (
            json!({"parties": [
                party("110105491231002", "王", "410105", None),
                party(&anhui_woman(), "李", "340102", None)]}),
            "parties[0].id_number",
            "legacy_id_number",
        ),
        (
            json!({"parties": [
                party(&henan_man(), "王", "419999", None),
                party(&anhui_woman(), "李", "340102", None)]}),
            "parties[0].hukou_division_code",
            "unknown_division_code",
        ),
        (
            json!({"parties": [
                party(&henan_man(), "王", "410105", None),
                party(&anhui_woman(), "李", "340102", Some(("329999", "2030-01-01")))]}),
            "parties[1].residence_permit.division_code",
            "unknown_division_code",
        ),
        (
            json!({"parties": [
                party(&henan_man(), "  ", "410105", None),
                party(&anhui_woman(), "李", "340102", None)]}),
            "parties[0].name",
            "invalid_name",
        ),
        (
            json!({"office_id": "nowhere", "parties": [
                party(&henan_man(), "王", "410105", None), party(&anhui_woman(), "李", "340102", None)]}),
            "office_id",
            "unknown_office",
        ),
        (
            json!({"parties": [{"name": "王", "hukou_division_code": "410105"},
                party(&anhui_woman(), "李", "340102", None)]}),
            "parties[0].id_number",
            "missing_field",
        ),
        (json!({"parties": "two"}), "parties", "invalid_type"),
        (json!({"parties": [], "extra": 1}), "extra", "unknown_field"),
    ];
    for (body, name, code) in cases {
        let resp = app.post_eligibility(&body).await;
        assert_eq!(resp.status(), 400, "{body}");
        let p = problem(resp).await;
        assert_eq!(p["code"], "invalid_request", "{p}");
        let params = p["invalid_params"].as_array().unwrap();
        assert!(
            params
                .iter()
                .any(|x| x["name"] == name && x["code"] == code),
            "{body} -> {p}"
        );
    }
}

#[tokio::test]
async fn the_answer_holds_no_marital_status_or_register_data() {
    let app = spawn_app().await;
    let v = check(
        &app,
        json!({"date": "2022-05-20", "parties": [
            party(&henan_man(), "王强", "320508", None),
            party(&anhui_woman(), "李娜", "340102", None),
        ]}),
    )
    .await;
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        vec!["bases", "documents", "eligible", "offices", "problems"]
    );
    let text = v.to_string();
    assert!(!text.contains("married") && !text.contains(&henan_man()));
}

//! A divorce across two regions (issue 18): the marriage was registered by the 河南 instance,
//! the divorce is received and issued at a 江苏 office. 江苏 confirms the marriage through 河南's
//! status query and the 河南 party's household through 河南's register; at issue 河南 is told
//! (`divorce_registered`) and marks its resident divorced, once.

use std::sync::Arc;

use serde_json::Value;

use crate::support::divorce::{certificate_status, date, move_to, receive_body, with_calendar};
use crate::support::partner::{call_as, KeyFile, ALL_OPS, HENAN, JIANGSU};
use crate::support::proxy::free_port;
use crate::support::{
    add_resident, audit_details, couple, eventually, id_number, marital_status, problem,
    spawn_app_on, spawn_app_with, Counter, TestDb,
};

const JS_OFFICE: &str = "sz-gusu";
const HA_OFFICE: &str = "zz-jinshui";

#[tokio::test]
async fn a_marriage_registered_in_henan_is_divorced_in_jiangsu_and_henan_marks_its_resident() {
    let (js_key, ha_key) = (KeyFile::new(), KeyFile::new());
    let js_port = free_port();
    let js_url = format!("http://127.0.0.1:{js_port}");
    let ha = spawn_app_with(|s| {
        HENAN.configure(
            s,
            &ha_key,
            vec![JIANGSU.peer(&js_url, &js_key.key, &ALL_OPS)],
        );
    });
    let js_db = Arc::new(TestDb::create_sqlite());
    let js = spawn_app_on(js_db.clone(), js_db.url(), |s| {
        s.server.port = js_port;
        let peer = HENAN.peer(&ha.address, &ha_key.key, &ALL_OPS);
        JIANGSU.configure(s, &js_key, vec![peer]);
        with_calendar(s);
    });
    let man = id_number("410105", "19900312", true);
    let woman = id_number("320508", "19920101", false);
    add_resident(&ha, &man, "王强", "410105", "unmarried");
    add_resident(&js, &woman, "李娜", "320508", "unmarried");

    // Married in 河南; 江苏 is told and marks its resident married.
    let ha_desk = Counter::open(&ha, HA_OFFICE).await;
    let r = ha_desk
        .walk_in(couple(&man, "410105", &woman, "320508"))
        .await;
    assert_eq!(ha_desk.run_checks(&r).await["cleared"], true);
    let resp = ha_desk.declare_and_register(&r).await;
    assert_eq!(resp.status(), 201);
    let number = resp.json::<Value>().await.unwrap()["certificate_number"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually("the marriage notice to 江苏", || {
        marital_status(&js, &woman) == "married"
    })
    .await;

    // Another couple's names on 河南's certificate: refused by what 河南 answers.
    let desk = Counter::open(&js, JS_OFFICE).await;
    let wrong = receive_body(
        &[(&man, "王刚", "410105"), (&woman, "李娜", "320508")],
        &number,
    );
    let resp = desk.receive_divorce(wrong).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["code"], "marriage_parties_mismatch");

    // Received in 江苏: the marriage confirmed by 河南, the 河南 party checked by 河南.
    let body = receive_body(
        &[(&man, "王强", "410105"), (&woman, "李娜", "320508")],
        &number,
    );
    let resp = desk.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["marriage_source"], "partner");
    assert_eq!(v["parties"][0]["check_source"], "partner");
    assert_eq!(v["parties"][1]["check_source"], "local_register");
    let asked = audit_details(&ha, "partner.household_verification.received");
    assert_eq!(
        asked.last().unwrap()["purpose"],
        "divorce_registration",
        "{asked:?}"
    );
    assert!(!audit_details(&ha, "partner.registration_status.received").is_empty());

    // Issued in the window: an 江苏 L number; both regions mark their resident divorced.
    let reference = v["reference"].as_str().unwrap().to_owned();
    move_to(&js, date(&v, "issue_from"));
    let resp = desk.issue_divorce(&reference).await;
    assert_eq!(resp.status(), 201);
    let issued: Value = resp.json().await.unwrap();
    assert!(issued["certificate_number"]
        .as_str()
        .unwrap()
        .starts_with("L320508-"));
    assert_eq!(marital_status(&js, &woman), "divorced");
    eventually("the divorce notice to 河南", || {
        marital_status(&ha, &man) == "divorced"
    })
    .await;
    let got = audit_details(&ha, "partner.notification.received");
    let divorce: Vec<&Value> = got
        .iter()
        .filter(|d| d["type"] == "divorce_registered")
        .collect();
    assert_eq!(divorce.len(), 1);
    assert_eq!(divorce[0]["applied"], 1);
    // 河南 registered the marriage: it marks it dissolved and releases its parties.
    assert_eq!(divorce[0]["dissolved"], number.as_str());
    assert_eq!(certificate_status(&ha, &number), "dissolved");
    // So the 河南 man may marry again in 河南: his checks pass.
    let bride = id_number("410105", "19930303", false);
    add_resident(&ha, &bride, "赵敏", "410105", "unmarried");
    let again = ha_desk
        .walk_in(serde_json::json!([
            crate::support::party(&man, "王强", "410105", None),
            crate::support::party(&bride, "赵敏", "410105", None),
        ]))
        .await;
    let checks = ha_desk.run_checks(&again).await;
    assert_eq!(checks["cleared"], true, "{checks}");
    assert_eq!(
        divorce[0]["parties"].as_array().unwrap().len(),
        1,
        "only 河南's party is sent to 河南"
    );

    // 河南 asks 江苏 about the divorce certificate: valid, issued at 江苏, parties masked.
    let l_number = issued["certificate_number"].as_str().unwrap();
    let henan = HENAN.partners(&ha_key, vec![JIANGSU.peer(&js_url, &js_key.key, &ALL_OPS)]);
    let path = format!("/v1/partner/registrations/{l_number}");
    let (status, v) = call_as(henan, "jiangsu", "GET", path, None).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(v["status"], "valid");
    assert_eq!(v["office"]["id"], JS_OFFICE);
    assert_eq!(v["parties"].as_array().unwrap().len(), 2);
    assert!(
        !v.to_string().contains(&man),
        "no full ID number in a status answer"
    );
}

#[tokio::test]
async fn when_no_instance_answers_the_papers_are_recorded_and_only_then() {
    use crate::support::partner::{Jiangsu, UNREACHABLE};
    let js = Jiangsu::knowing_henan_with(UNREACHABLE, &ALL_OPS, with_calendar);
    let man = id_number("320508", "19880808", true);
    let woman = id_number("410105", "19890909", false);
    add_resident(&js.app, &man, "王强", "320508", "married");
    let desk = Counter::open(&js.app, JS_OFFICE).await;
    let parties = [
        (man.as_str(), "王强", "320508"),
        (woman.as_str(), "李娜", "410105"),
    ];
    let number = "J410105-2024-000321";

    // 河南 cannot be reached: neither the marriage nor her household is confirmed.
    let resp = desk.receive_divorce(receive_body(&parties, number)).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["code"], "marriage_unconfirmed");
    let mut body = receive_body(&parties, number);
    body["paper_certificate_note"] = serde_json::json!("结婚证原件，郑州市金水区民政局");
    let resp = desk.receive_divorce(body.clone()).await;
    assert_eq!(resp.status(), 422);
    let p = problem(resp).await;
    assert_eq!(p["code"], "household_check_unavailable");
    assert_eq!(p["party"], 1);

    // With what the registrar saw in her 户口簿: received, each source as it was.
    body["parties"][1]["household_note"] =
        serde_json::json!("户口簿婚姻状况：已婚，郑州市公安局金水分局");
    let resp = desk.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["marriage_source"], "paper");
    assert_eq!(v["parties"][0]["check_source"], "local_register");
    assert_eq!(v["parties"][1]["check_source"], "manual");
}

//! The divorce counter (issue 18) on one instance: receive -> withdraw (on the cooling-off's last
//! day), receive -> issue inside the window, receive -> lapse, refusal; and what a registrar
//! pushing through would try: issue before or after the window, a withdrawal after the
//! cooling-off, a second receipt of one marriage, issue at another office, forged or another
//! couple's certificate numbers. Each refused with a stable code and nothing half-written.

use chrono::Duration;
use serde_json::{json, Value};

use crate::support::divorce::{
    certificate_status, clock_today, date, divorce_count, last_serial, move_to, receive_body,
    spawn_divorce_app,
};
use crate::support::{
    add_residents, audit_count, audit_details, eventually, marital_status, masked, nth_person,
    problem, Counter, TestApp,
};

const OFFICE: &str = "sz-gusu";

/// Couple `n`, registered married at the office: (man, woman, certificate).
async fn married(desk: &Counter<'_>, n: u32) -> (String, String, String) {
    let number = desk.registered(n).await;
    (nth_person(n, true), nth_person(n, false), number)
}

fn body(man: &str, woman: &str, number: &str) -> Value {
    receive_body(
        &[(man, "王强", "320508"), (woman, "李娜", "320508")],
        number,
    )
}

/// Receives couple `n`'s divorce: the answer.
async fn received(desk: &Counter<'_>, n: u32) -> (Value, String, String, String) {
    let (man, woman, number) = married(desk, n).await;
    let resp = desk.receive_divorce(body(&man, &woman, &number)).await;
    assert_eq!(resp.status(), 201);
    (resp.json().await.unwrap(), man, woman, number)
}

fn reference(v: &Value) -> String {
    v["reference"].as_str().unwrap().to_owned()
}

async fn periods_of(app: &TestApp, day: chrono::NaiveDate) -> Value {
    let resp = app
        .get(&format!("/v1/divorce/periods?received_on={day}"))
        .await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn receive_answers_the_receipt_with_the_calculators_dates_then_a_party_withdraws_on_the_last_day(
) {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (v, man, woman, number) = received(&desk, 1).await;
    let today = clock_today(&app);
    let p = periods_of(&app, today).await;
    for field in [
        "received_on",
        "cooling_off_ends",
        "issue_from",
        "issue_until",
    ] {
        assert_eq!(v[field], p[field], "{field}");
    }
    assert_eq!(v["status"], "received");
    assert_eq!(v["marriage_source"], "register");
    assert_eq!(v["parties"][0]["id_number_masked"], masked(&man));
    assert_eq!(v["parties"][0]["check_source"], "local_register");
    assert_eq!(v["document"]["title"], "离婚登记申请受理回执单");
    assert!(v["document"]["text"]
        .as_str()
        .unwrap()
        .contains(&reference(&v)));
    assert!(
        !v.to_string().contains(&woman),
        "no full ID number in the answer"
    );
    let audit = audit_details(&app, "divorce.received");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["marriage_certificate"], number.as_str());

    // The last day of the cooling-off still takes a withdrawal (民法典 第1077条).
    move_to(&app, date(&v, "cooling_off_ends"));
    let r = reference(&v);
    let resp = desk
        .divorce_step(&r, "withdrawal", json!({"party": 1}))
        .await;
    assert_eq!(resp.status(), 200);
    let w: Value = resp.json().await.unwrap();
    assert_eq!(w["status"], "withdrawn");
    assert_eq!(w["withdrawn_by_party"], 1);
    assert_eq!(w["document"]["title"], "撤回离婚登记申请确认单");
    assert_eq!(audit_count(&app, "divorce.withdrawn"), 1);

    // Withdrawn: no second withdrawal, no issue; the marriage stands.
    let resp = desk
        .divorce_step(&r, "withdrawal", json!({"party": 0}))
        .await;
    let p = problem(resp).await;
    assert_eq!(p["code"], "invalid_transition");
    assert_eq!(p["current_status"], "withdrawn");
    move_to(&app, date(&v, "issue_from"));
    let p = problem(desk.issue_divorce(&r).await).await;
    assert_eq!(p["code"], "invalid_transition");
    assert_eq!(certificate_status(&app, &number), "valid");
    assert_eq!(marital_status(&app, &man), "married");

    // The couple may apply again: a withdrawn application holds nothing.
    let resp = desk.receive_divorce(body(&man, &woman, &number)).await;
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn a_withdrawal_after_the_cooling_off_is_refused_and_changes_nothing() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (v, ..) = received(&desk, 2).await;
    move_to(&app, date(&v, "issue_from"));
    let resp = desk
        .divorce_step(&reference(&v), "withdrawal", json!({"party": 0}))
        .await;
    assert_eq!(resp.status(), 409);
    let p = problem(resp).await;
    assert_eq!(p["code"], "cooling_off_over");
    assert_eq!(p["cooling_off_ends"], v["cooling_off_ends"]);
    assert_eq!(desk.divorce(&reference(&v)).await["status"], "received");
    assert_eq!(audit_count(&app, "divorce.withdrawn"), 0);
    let resp = desk
        .divorce_step(&reference(&v), "withdrawal", json!({"party": 2}))
        .await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn issue_only_inside_the_window_gives_an_l_number_and_dissolves_the_marriage() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (v, man, woman, number) = received(&desk, 3).await;
    let r = reference(&v);

    // Before the window: the day of receipt and the cooling-off's last day.
    for day in [date(&v, "received_on"), date(&v, "cooling_off_ends")] {
        move_to(&app, day);
        let resp = desk.issue_divorce(&r).await;
        assert_eq!(resp.status(), 409, "{day}");
        let p = problem(resp).await;
        assert_eq!(p["code"], "cooling_off_not_over");
        assert_eq!(p["issue_from"], v["issue_from"]);
    }
    assert_eq!(last_serial(&app, OFFICE, "L"), None, "no number taken");

    // Both must be present.
    move_to(&app, date(&v, "issue_from"));
    let resp = desk
        .divorce_step(&r, "issue", json!({"both_parties_present": false}))
        .await;
    assert_eq!(problem(resp).await["code"], "parties_not_present");

    // Inside the window, on its last day.
    move_to(&app, date(&v, "issue_until"));
    let resp = desk.issue_divorce(&r).await;
    assert_eq!(resp.status(), 201);
    let issued: Value = resp.json().await.unwrap();
    assert_eq!(issued["status"], "issued");
    let year = chrono::Datelike::year(&clock_today(&app));
    assert_eq!(
        issued["certificate_number"],
        format!("L320508-{year}-000001").as_str()
    );
    assert_eq!(certificate_status(&app, &number), "dissolved");
    assert_eq!(marital_status(&app, &man), "divorced");
    assert_eq!(marital_status(&app, &woman), "divorced");
    assert_eq!(audit_count(&app, "divorce.issued"), 1);

    // Issued once: a second issue is refused, and the dissolved marriage takes no new receipt.
    let p = problem(desk.issue_divorce(&r).await).await;
    assert_eq!(p["code"], "invalid_transition");
    assert_eq!(p["current_status"], "issued");
    assert_eq!(last_serial(&app, OFFICE, "L"), Some(1));
    let resp = desk.receive_divorce(body(&man, &woman, &number)).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "divorce_already_received");
    // Divorced here, he may marry again here: the registration no longer holds him.
    let bride = nth_person(12, false);
    add_residents(&app, &[(&bride, "李娜", "unmarried")]);
    let again = desk
        .walk_in(crate::support::couple(&man, "320508", &bride, "320508"))
        .await;
    assert_eq!(desk.run_checks(&again).await["cleared"], true);
}

#[tokio::test]
async fn issue_after_the_window_is_refused_and_the_sweep_marks_the_application_lapsed() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (v, man, _, number) = received(&desk, 4).await;
    let r = reference(&v);
    move_to(&app, date(&v, "issue_until") + Duration::days(1));
    // Whether the sweep got there first or not, the application is not issued.
    let p = problem(desk.issue_divorce(&r).await).await;
    assert!(
        p["code"] == "issue_window_closed" || p["current_status"] == "lapsed",
        "{p}"
    );
    eventually("the lapse round", || {
        audit_count(&app, "divorce.lapsed") == 1
    })
    .await;
    let got = desk.divorce(&r).await;
    assert_eq!(got["status"], "lapsed");
    assert!(got["document"].is_null());
    let p = problem(desk.issue_divorce(&r).await).await;
    assert_eq!(p["code"], "invalid_transition");
    assert_eq!(p["current_status"], "lapsed");
    assert_eq!(last_serial(&app, OFFICE, "L"), None);
    assert_eq!(certificate_status(&app, &number), "valid");
    assert_eq!(marital_status(&app, &man), "married");
}

#[tokio::test]
async fn a_second_receipt_of_the_same_marriage_is_refused_without_a_write() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (_, man, woman, number) = received(&desk, 5).await;
    // At this office and at another.
    let other = Counter::open(&app, "sz-huqiu").await;
    for d in [&desk, &other] {
        let resp = d.receive_divorce(body(&man, &woman, &number)).await;
        assert_eq!(resp.status(), 409);
        let p = problem(resp).await;
        assert_eq!(p["code"], "divorce_already_received");
        assert_eq!(p["current_status"], "received");
    }
    assert_eq!(divorce_count(&app), 1);
    assert_eq!(audit_count(&app, "divorce.received"), 1);
}

#[tokio::test]
async fn only_the_receiving_office_issues_withdraws_or_reads() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (v, ..) = received(&desk, 6).await;
    let r = reference(&v);
    move_to(&app, date(&v, "issue_from"));
    let other = Counter::open(&app, "sz-huqiu").await;
    let resp = other.issue_divorce(&r).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(problem(resp).await["code"], "forbidden_office");
    let resp = other.get(&format!("/v1/registrar/divorces/{r}")).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(desk.divorce(&r).await["status"], "received");
    assert_eq!(last_serial(&app, "sz-huqiu", "L"), None);
    assert_eq!(audit_count(&app, "divorce.issued"), 0);
}

#[tokio::test]
async fn forged_foreign_or_another_couples_certificates_are_refused_without_a_write() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (man, woman, number) = married(&desk, 7).await;
    let (other_man, _, other_number) = married(&desk, 8).await;
    let year = chrono::Datelike::year(&clock_today(&app));

    // An unknown number of one of our offices.
    let forged = format!("J320508-{year}-999999");
    let resp = desk.receive_divorce(body(&man, &woman, &forged)).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["code"], "unknown_marriage_certificate");
    // Not a certificate number, or a divorce certificate's.
    for bad in ["J3205-1", "L320508-2026-000001"] {
        let resp = desk.receive_divorce(body(&man, &woman, bad)).await;
        assert_eq!(resp.status(), 400, "{bad}");
        let p = problem(resp).await;
        assert_eq!(p["invalid_params"][0]["name"], "marriage_certificate");
    }
    // Another couple's certificate, and a party swapped for another man.
    let resp = desk
        .receive_divorce(body(&man, &woman, &other_number))
        .await;
    assert_eq!(problem(resp).await["code"], "marriage_parties_mismatch");
    let resp = desk
        .receive_divorce(body(&other_man, &woman, &number))
        .await;
    assert_eq!(problem(resp).await["code"], "marriage_parties_mismatch");
    // A region with no instance, and no paper certificate recorded.
    let foreign = format!("J110101-{year}-000123");
    let resp = desk.receive_divorce(body(&man, &woman, &foreign)).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["code"], "marriage_unconfirmed");
    assert_eq!(divorce_count(&app), 0);
    assert_eq!(audit_count(&app, "divorce.received"), 0);
}

#[tokio::test]
async fn a_paper_certificate_is_recorded_as_such_when_no_instance_can_answer() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (man, woman) = (nth_person(9, true), nth_person(9, false));
    add_residents(
        &app,
        &[(&man, "王强", "married"), (&woman, "李娜", "married")],
    );
    let year = chrono::Datelike::year(&clock_today(&app)) - 3;
    let mut b = body(&man, &woman, &format!("J110101-{year}-000123"));
    b["paper_certificate_note"] = json!("结婚证原件，北京市东城区民政局，钢印清晰");
    let resp = desk.receive_divorce(b).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["marriage_source"], "paper");
}

#[tokio::test]
async fn unmarried_parties_an_incomplete_agreement_or_one_absent_party_are_refused() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (man, woman, number) = married(&desk, 10).await;
    let mut b = body(&man, &woman, &number);
    b["agreement_complete"] = json!(false);
    assert_eq!(
        problem(desk.receive_divorce(b).await).await["code"],
        "agreement_incomplete"
    );
    let mut b = body(&man, &woman, &number);
    b["both_parties_present"] = json!(false);
    assert_eq!(
        problem(desk.receive_divorce(b).await).await["code"],
        "parties_not_present"
    );
    let mut b = body(&man, &woman, &number);
    b["agreement"]["debts"] = json!(" ");
    assert_eq!(desk.receive_divorce(b).await.status(), 400);
    // The register says a party is not married (a later export, say).
    crate::support::set_marital_status(&app, &woman, "widowed");
    let resp = desk.receive_divorce(body(&man, &woman, &number)).await;
    assert_eq!(resp.status(), 422);
    let p = problem(resp).await;
    assert_eq!(p["code"], "party_not_married");
    assert_eq!(p["party"], 1);
    assert_eq!(divorce_count(&app), 0);
}

#[tokio::test]
async fn a_refusal_names_a_ground_of_article_12_and_answers_its_written_notice() {
    let app = spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let (v, ..) = received(&desk, 11).await;
    let r = reference(&v);
    let resp = desk
        .divorce_step(
            &r,
            "refusal",
            json!({"reason_code": "under_age", "note": "x"}),
        )
        .await;
    assert_eq!(resp.status(), 400);
    let note = "双方对子女抚养未协商一致";
    let resp = desk
        .divorce_step(
            &r,
            "refusal",
            json!({"reason_code": "no_complete_agreement", "note": note}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let n: Value = resp.json().await.unwrap();
    assert_eq!(n["status"], "refused");
    assert!(n["basis"].as_str().unwrap().contains("第12条"));
    let text = n["notice_text"].as_str().unwrap();
    assert!(
        text.contains("不予办理离婚登记") && text.contains(note),
        "{text}"
    );
    // The refusal answers with the notice, and each reading of it is an audited read.
    assert_eq!(audit_count(&app, "divorce.refusal_notice_read"), 1);
    let resp = desk
        .get(&format!("/v1/registrar/divorces/{r}/refusal"))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(audit_count(&app, "divorce.refusal_notice_read"), 2);
    move_to(&app, date(&v, "issue_from"));
    let p = problem(desk.issue_divorce(&r).await).await;
    assert_eq!(p["current_status"], "refused");
    assert_eq!(audit_count(&app, "divorce.refused"), 1);
}

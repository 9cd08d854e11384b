//! The divorce screens of the desk, as a hurried registrar or an attacker would push them
//! (no browser, the form posts themselves): an issue before the window is a plain message in
//! place naming the state and dates and writes nothing; another office's divorce is the 403
//! page, read or posted; a form without its token is refused; a bad 受理 form keeps what was
//! typed with the error beside the field.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::desk::Desk;
use crate::support::divorce::{divorce_count, last_serial, receive_body, spawn_divorce_app};
use crate::support::{audit_count, nth_person, Counter};

const OFFICE: &str = "sz-gusu";

/// Couple `n` registered married at the office through the API, then received there: the
/// divorce's reference.
async fn received(counter: &Counter<'_>, n: u32) -> String {
    let number = counter.registered(n).await;
    let (man, woman) = (nth_person(n, true), nth_person(n, false));
    let body = receive_body(
        &[(&man, "王强", "320508"), (&woman, "李娜", "320508")],
        &number,
    );
    let resp = counter.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    v["reference"].as_str().unwrap().to_owned()
}

/// The stored status of divorce `reference`.
async fn status_of(counter: &Counter<'_>, reference: &str) -> String {
    counter.divorce(reference).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn desk_divorce_received_through_the_form_then_an_early_issue_is_a_plain_message() {
    let app = spawn_divorce_app();
    let counter = Counter::open(&app, OFFICE).await;
    let number = counter.registered(61).await;
    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "registrar").await;
    let (man, woman) = (nth_person(61, true), nth_person(61, false));
    let mut fields = vec![
        ("name0", "王强"),
        ("id0", man.as_str()),
        ("hukou0", "320508"),
        ("name1", "李娜"),
        ("id1", woman.as_str()),
        ("hukou1", "320508"),
        ("marriage_certificate", number.as_str()),
        ("children", "无子女。"),
        ("property", "各自名下财产归各自所有。"),
        ("debts", "无共同债务。"),
        ("both_present", "true"),
    ];
    // Not confirmed complete: the form again, with the error and what was typed.
    let a = desk.post("/desk/divorces", &fields).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(a.body.contains("error-message") && a.body.contains("各自名下财产归各自所有。"));
    assert!(a.body.contains(&number), "the certificate number is kept");
    assert_eq!(divorce_count(&app), 0, "nothing written");
    fields.push(("agreement_complete", "true"));
    let a = desk.post("/desk/divorces", &fields).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let reference = a
        .location()
        .strip_prefix("/desk/divorces/")
        .and_then(|r| r.split('?').next())
        .unwrap()
        .to_owned();
    let screen = desk.get(a.location()).await;
    assert_eq!(screen.status, StatusCode::OK);
    let v = counter.divorce(&reference).await;
    let ends = v["cooling_off_ends"].as_str().unwrap();
    assert!(screen.body.contains(ends) && screen.body.contains(&man));
    assert!(!screen.body.contains("id=\"issue\""), "no issue button now");

    // The issue posted anyway: 409 in place, naming the state and the dates; nothing written.
    let a = desk
        .post(
            &format!("/desk/divorces/{reference}/issue"),
            &[("both_present", "true")],
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert!(a.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        a.body.contains("离婚冷静期") && a.body.contains(ends),
        "{}",
        a.body
    );
    assert!(a.body.contains("已受理，冷静期中"), "the state is named");
    assert!(!a.body.contains("problem") && !a.body.contains("invalid_transition"));
    assert_eq!(status_of(&counter, &reference).await, "received");
    assert_eq!(last_serial(&app, OFFICE, "L"), None, "no number taken");
}

#[tokio::test]
async fn desk_divorce_another_offices_divorce_is_the_403_page() {
    let app = spawn_divorce_app();
    let counter = Counter::open(&app, OFFICE).await;
    let reference = received(&counter, 62).await;
    let mut desk = Desk::new(&app);
    desk.staff("nj-xuanwu", "registrar").await;
    let reads = audit_count(&app, "divorce.read");
    for path in [
        format!("/desk/divorces/{reference}"),
        format!("/desk/divorces/{reference}/receipt"),
        format!("/desk/divorces/{reference}/certificate"),
    ] {
        let a = desk.get(&path).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{path}");
        assert!(a.body.contains("panel bad"), "{path}: the 403 page");
        assert!(!a.body.contains(&nth_person(62, true)) && !a.body.contains(OFFICE));
    }
    assert_eq!(audit_count(&app, "divorce.read"), reads, "nothing was read");
    let a = desk
        .post(
            &format!("/desk/divorces/{reference}/withdrawal"),
            &[("party", "0")],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.body.contains("panel bad"));
    assert_eq!(status_of(&counter, &reference).await, "received");
}

#[tokio::test]
async fn desk_divorce_a_form_without_its_token_is_refused() {
    let app = spawn_divorce_app();
    let counter = Counter::open(&app, OFFICE).await;
    let reference = received(&counter, 63).await;
    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "registrar").await;
    let path = format!("/desk/divorces/{reference}/withdrawal");
    let req = app.client.post(app.url(&path)).form(&[("party", "0")]);
    let a = desk.send(req).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let req = app
        .client
        .post(app.url(&path))
        .form(&[("csrf", "forged"), ("party", "0")]);
    let a = desk.send(req).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert_eq!(status_of(&counter, &reference).await, "received");
    let before = divorce_count(&app);
    let req = app
        .client
        .post(app.url("/desk/divorces"))
        .form(&[("name0", "王强")]);
    assert_eq!(desk.send(req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(divorce_count(&app), before);
    // With the token, the withdrawal goes through and its confirmation is there to print.
    let a = desk.post(&path, &[("party", "1")]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(status_of(&counter, &reference).await, "withdrawn");
    let p = desk
        .get(&format!("/desk/divorces/{reference}/withdrawal"))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("撤回离婚登记申请确认单") && p.body.contains(&reference));
}

#[tokio::test]
async fn desk_divorce_the_form_of_a_booked_visit_is_prefilled_and_its_day_is_said_in_place() {
    use crate::support::divorce::clock_today;
    use crate::support::divorce_visits::{book_divorce_visit, first_slot_between};
    use crate::support::{fresh_emails, nth_couple, reference_and_token};
    let app = spawn_divorce_app();
    let counter = Counter::open(&app, OFFICE).await;
    let number = counter.registered(64).await;
    let today = clock_today(&app);
    let slot = first_slot_between(&app, OFFICE, today, today + chrono::Duration::days(20));
    let emails = fresh_emails();
    let resp = book_divorce_visit(
        &app,
        OFFICE,
        &slot,
        nth_couple(64),
        [&emails[0], &emails[1]],
    )
    .await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    app.confirm_both([&emails[0], &emails[1]]).await;
    let visit = reference_and_token(&v).0.to_owned();

    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "registrar").await;
    let reads = audit_count(&app, "application.read");
    let form = desk.get(&format!("/desk/divorces/new?visit={visit}")).await;
    assert_eq!(form.status, StatusCode::OK);
    let (man, woman) = (nth_person(64, true), nth_person(64, false));
    assert!(
        form.body.contains(&man) && form.body.contains(&woman),
        "prefilled"
    );
    assert!(form
        .body
        .contains(&format!("name=\"visit\" value=\"{visit}\"")));
    assert_eq!(
        audit_count(&app, "application.read"),
        reads + 1,
        "an audited read"
    );
    // Received on another day than the visit's: the reason in place, what was typed kept.
    let fields = [
        ("visit", visit.as_str()),
        ("name0", "王强"),
        ("id0", man.as_str()),
        ("hukou0", "320508"),
        ("name1", "李娜"),
        ("id1", woman.as_str()),
        ("hukou1", "320508"),
        ("marriage_certificate", number.as_str()),
        ("children", "无子女。"),
        ("property", "各自名下财产归各自所有。"),
        ("debts", "无共同债务。"),
        ("agreement_complete", "true"),
        ("both_present", "true"),
    ];
    let a = desk.post("/desk/divorces", &fields).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert!(
        a.body.contains("只能在当日受理") && a.body.contains("无子女。"),
        "{}",
        a.body
    );
    assert_eq!(divorce_count(&app), 0, "nothing written");
}

#[tokio::test]
async fn desk_divorce_a_received_visit_opens_the_application_it_became() {
    use crate::support::divorce::{clock_today, move_to};
    use crate::support::divorce_visits::{book_divorce_visit, first_slot_between};
    use crate::support::{fresh_emails, nth_couple, reference_and_token};
    let app = spawn_divorce_app();
    let counter = Counter::open(&app, OFFICE).await;
    let number = counter.registered(65).await;
    let today = clock_today(&app);
    let slot = first_slot_between(&app, OFFICE, today, today + chrono::Duration::days(20));
    let emails = fresh_emails();
    let resp = book_divorce_visit(
        &app,
        OFFICE,
        &slot,
        nth_couple(65),
        [&emails[0], &emails[1]],
    );
    let v: Value = resp.await.json().await.unwrap();
    app.confirm_both([&emails[0], &emails[1]]).await;
    let visit = reference_and_token(&v).0.to_owned();
    let mut desk = Desk::new(&app);
    desk.staff(OFFICE, "registrar").await;
    // Not received yet: no application to open.
    let a = desk.get(&format!("/desk/divorce-visits/{visit}")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);

    let day: chrono::NaiveDate = v["slot"]["start"].as_str().unwrap()[..10].parse().unwrap();
    move_to(&app, day);
    let (man, woman) = (nth_person(65, true), nth_person(65, false));
    let mut body = receive_body(
        &[(&man, "王强", "320508"), (&woman, "李娜", "320508")],
        &number,
    );
    body["appointment_reference"] = serde_json::json!(visit);
    let resp = counter.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    let received: Value = resp.json().await.unwrap();
    let a = desk.get(&format!("/desk/divorce-visits/{visit}")).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let reference = received["reference"].as_str().unwrap();
    assert_eq!(a.location(), format!("/desk/divorces/{reference}"));
}

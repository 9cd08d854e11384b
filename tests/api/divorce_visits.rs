//! Booking a divorce's two visits (issue 18): the application visit (`"service": "divorce"`),
//! confirmed by both parties and received from at the counter; then the issue visit, only for
//! the application's two parties, at its office, on a day of its issue window. And what a
//! caller pushing through would try: a marriage step on a divorce visit, receiving another
//! couple's visit or on another day, a wrong person or reference (one answer for both), a slot
//! outside the window or at another office.

use serde_json::{json, Value};

use crate::support::divorce::{clock_today, date, divorce_count, move_to, receive_body};
use crate::support::divorce_visits::{
    book_divorce_visit, book_issue_visit, first_slot_between, nine_on,
};
use crate::support::lib::schema;
use crate::support::{
    audit_count, eventually, fresh_emails, nth_couple, nth_person, problem, reference_and_token,
    Counter, TestApp,
};

const OFFICE: &str = "sz-gusu";

fn receive_with(man: &str, woman: &str, number: &str, extra: Value) -> Value {
    let mut body = receive_body(
        &[(man, "王强", "320508"), (woman, "李娜", "320508")],
        number,
    );
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// The stored status of an appointment.
fn appointment_status(app: &TestApp, reference: &str) -> String {
    use diesel::prelude::*;
    schema::appointments::table
        .filter(schema::appointments::reference.eq(reference))
        .select(schema::appointments::status)
        .first(&mut app.connect())
        .unwrap()
}

/// The day of a slot id.
fn slot_day(slot: &str) -> chrono::NaiveDate {
    let when = slot.rsplit_once('.').unwrap().1;
    chrono::NaiveDate::parse_from_str(&when[..8], "%Y%m%d").unwrap()
}

/// Books and confirms the application visit of couple `n`: its reference, slot and emails.
async fn visit_booked(app: &TestApp, n: u32) -> (String, String, [String; 2]) {
    // A day after today, so that today is not the visit's day.
    let today = clock_today(app);
    let slot = first_slot_between(app, OFFICE, today, today + chrono::Duration::days(20));
    let emails = fresh_emails();
    let resp =
        book_divorce_visit(app, OFFICE, &slot, nth_couple(n), [&emails[0], &emails[1]]).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["service"], "divorce", "{v}");
    assert_eq!(v["status"], "pending_confirmation");
    app.confirm_both([&emails[0], &emails[1]]).await;
    (reference_and_token(&v).0.to_owned(), slot, emails)
}

#[tokio::test]
async fn a_couple_books_the_application_visit_and_the_counter_receives_the_divorce_from_it() {
    let app = crate::support::divorce::spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let number = desk.registered(1).await;
    let (man, woman) = (nth_person(1, true), nth_person(1, false));
    let (visit, slot, emails) = visit_booked(&app, 1).await;
    let day = slot_day(&slot);
    // Another couple's visit, booked alike.
    desk.registered(2).await;
    let (visit2, _, _) = visit_booked(&app, 2).await;

    // The documents of a divorce on that day, as the eligibility check lists them.
    let resp = app
        .post_json(
            "/v1/eligibility",
            &json!({"service": "divorce", "date": day.to_string(), "office_id": OFFICE,
                    "parties": nth_couple(1)}),
        )
        .await;
    let expected: Value = resp.json().await.unwrap();
    let first_doc = expected["documents"][0]["description"].as_str().unwrap();
    let zh = first_doc.split(" / ").next().unwrap().to_owned();
    eventually(
        "the confirmation with the divorce documents of the day",
        || {
            app.mails_to(&emails[0]).iter().any(|m| {
                m.subject.starts_with("离婚登记申请预约成功")
                    && m.text.contains(&visit)
                    && m.text.contains(&zh)
                    && !m.text.contains("结婚登记")
                    && m.html
                        .as_deref()
                        .is_some_and(|h| h.contains("离婚登记申请") && !h.contains("结婚登记"))
            })
        },
    )
    .await;

    // The queue shows the service; the marriage steps refuse a divorce visit.
    let queue = desk
        .get(&format!("/v1/registrar/offices/{OFFICE}/queue?date={day}"))
        .await;
    let queue: Value = queue.json().await.unwrap();
    let item = queue["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["reference"] == visit.as_str())
        .expect("the visit is in the queue")
        .clone();
    assert_eq!(item["service"], "divorce");
    let p = problem(desk.check_in(&visit).await).await;
    assert_eq!(p["code"], "not_a_marriage_visit");
    let read: Value = desk.get_application(&visit).await.json().await.unwrap();
    assert_eq!(read["service"], "divorce");
    let p = problem(desk.register(&visit).await).await;
    assert_eq!(p["code"], "not_a_marriage_visit");
    assert_eq!(appointment_status(&app, &visit), "booked");

    // Not on the visit's day: refused, nothing written.
    let body = receive_with(
        &man,
        &woman,
        &number,
        json!({"appointment_reference": visit}),
    );
    assert_ne!(clock_today(&app), day);
    let p = problem(desk.receive_divorce(body.clone()).await).await;
    assert_eq!(p["code"], "not_today");
    assert_eq!(divorce_count(&app), 0);
    move_to(&app, day);

    // Another couple's visit cannot carry this divorce.
    let wrong = receive_with(
        &man,
        &woman,
        &number,
        json!({"appointment_reference": visit2}),
    );
    let p = problem(desk.receive_divorce(wrong).await).await;
    assert_eq!(p["code"], "appointment_mismatch");
    assert_eq!(divorce_count(&app), 0);
    assert_eq!(appointment_status(&app, &visit2), "booked");

    let resp = desk.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    let received: Value = resp.json().await.unwrap();
    assert_eq!(appointment_status(&app, &visit), "checked_in");
    assert_eq!(audit_count(&app, "application.checked_in"), 1);
    let detail = &crate::support::audit_details(&app, "divorce.received")[0];
    assert!(detail["appointment"].is_number(), "{detail}");
    assert!(v_len(&expected["documents"]) > 0, "{expected}");

    // The issue visit: its confirmation links go to the contacts confirmed for the visit,
    // whatever the request could name.
    let r = received["reference"].as_str().unwrap();
    move_to(&app, date(&received, "cooling_off_ends"));
    let slot = first_slot_between(
        &app,
        OFFICE,
        clock_today(&app),
        date(&received, "issue_until"),
    );
    let resp = book_issue_visit(&app, r, &slot, [&woman, &man]).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["service"], "divorce_issue");
    assert_eq!(v["status"], "pending_confirmation");
    // The second link to each contact (the first confirmed the application visit).
    for e in &emails {
        eventually("the issue visit's link", || {
            app.confirmation_tokens(e).len() == 2
        })
        .await;
    }
    let mut last = Value::Null;
    for e in &emails {
        let token = app.confirmation_tokens(e).pop().unwrap();
        let resp = app.confirm(&token).await;
        assert_eq!(resp.status(), 200);
        last = resp.json().await.unwrap();
    }
    assert_eq!(last["reference"], v["reference"]);
    assert_eq!(last["status"], "booked");
}

fn v_len(v: &Value) -> usize {
    v.as_array().map(Vec::len).unwrap_or(0)
}

#[tokio::test]
async fn the_issue_visit_is_only_for_the_two_parties_at_the_receiving_office_inside_the_window() {
    let app = crate::support::divorce::spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let number = desk.registered(3).await;
    let (man, woman) = (nth_person(3, true), nth_person(3, false));
    let emails = fresh_emails();
    let mut body = receive_with(&man, &woman, &number, json!({}));
    body["parties"][0]["email"] = json!(emails[0]);
    body["parties"][1]["email"] = json!(emails[1]);
    let resp = desk.receive_divorce(body).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    let r = v["reference"].as_str().unwrap();
    let (from, until) = (date(&v, "issue_from"), date(&v, "issue_until"));
    move_to(&app, date(&v, "cooling_off_ends"));
    let slot = first_slot_between(&app, OFFICE, clock_today(&app), until);

    // A wrong person and an unknown reference answer alike: no oracle.
    let stranger = nth_person(9, false);
    let a = problem(book_issue_visit(&app, r, &slot, [&man, &stranger]).await).await;
    let b = problem(book_issue_visit(&app, "DV-NOSUCHREF0", &slot, [&man, &woman]).await).await;
    for p in [&a, &b] {
        assert_eq!(p["status"], 404);
        assert_eq!(p["code"], "not_found");
    }
    assert_eq!(a["detail"], b["detail"]);
    assert!(
        a.get("issue_from").is_none(),
        "no dates before the proof: {a}"
    );

    // Outside the window, before and after: 422 with the dates.
    for day in [date(&v, "cooling_off_ends"), until.succ_opt().unwrap()] {
        let p =
            problem(book_issue_visit(&app, r, &nine_on(OFFICE, day), [&man, &woman]).await).await;
        assert_eq!(p["status"], 422, "{p}");
        assert_eq!(p["code"], "outside_issue_window");
        assert_eq!(p["issue_from"], from.to_string());
        assert_eq!(p["issue_until"], until.to_string());
    }
    // Another office.
    let elsewhere = slot.replacen(OFFICE, "sz-huqiu", 1);
    let p = problem(book_issue_visit(&app, r, &elsewhere, [&man, &woman]).await).await;
    assert_eq!(p["code"], "issue_visit_wrong_office");
    assert_eq!(p["office_id"], OFFICE);

    // Nothing was booked by the refusals; the right request books, confirmed through the
    // contacts given at the counter.
    assert!(app.mails_to(&emails[0]).is_empty());
    let resp = book_issue_visit(&app, r, &slot, [&man, &woman]).await;
    assert_eq!(resp.status(), 201);
    let booked: Value = resp.json().await.unwrap();
    assert_eq!(booked["office"]["id"], OFFICE);
    let (reference, token) = reference_and_token(&booked);
    app.confirmation_token(&emails[0]).await;
    let link = &app.mails_to(&emails[0])[0];
    assert!(
        link.subject.starts_with("请确认离婚证领取预约"),
        "{}",
        link.subject
    );
    let done = app.confirm_both([&emails[0], &emails[1]]).await;
    assert_eq!(done["reference"], reference);
    let view: Value = app
        .view_appointment(reference, Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["service"], "divorce_issue");
    assert_eq!(view["status"], "booked");
    assert_eq!(view["slot"]["id"], slot.as_str());

    // Moved, it keeps to the same rules: not out of the window, not to another office.
    let before = nine_on(OFFICE, date(&v, "cooling_off_ends"));
    let p = problem(app.reschedule(reference, token, &before).await).await;
    assert_eq!(p["code"], "outside_issue_window");
    let resp = app
        .appointment(reqwest::Method::PATCH, reference, Some(token))
        .json(&json!({"office_id": "sz-huqiu", "slot_id": elsewhere}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(resp).await["code"], "issue_visit_wrong_office");
    let later = first_slot_between(&app, OFFICE, slot_day(&slot), until);
    let resp = app.reschedule(reference, token, &later).await;
    assert_eq!(resp.status(), 200);
    let moved: Value = resp.json().await.unwrap();
    assert_eq!(moved["slot"]["id"], later.as_str());
    let slot = later;

    // Issued at the counter on the visit's day: the visit was used.
    move_to(&app, slot_day(&slot));
    let resp = desk.issue_divorce(r).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(appointment_status(&app, reference), "checked_in");

    // A withdrawal ends the issue visit booked for it (its seat freed); a withdrawn
    // application takes no other (409 naming its state and dates).
    let number = desk.registered(4).await;
    let (m4, w4) = (nth_person(4, true), nth_person(4, false));
    let emails4 = fresh_emails();
    let mut body = receive_with(&m4, &w4, &number, json!({}));
    body["parties"][0]["email"] = json!(emails4[0]);
    body["parties"][1]["email"] = json!(emails4[1]);
    let v4: Value = desk.receive_divorce(body).await.json().await.unwrap();
    let r4 = v4["reference"].as_str().unwrap();
    move_to(&app, date(&v4, "cooling_off_ends"));
    let slot4 = first_slot_between(&app, OFFICE, clock_today(&app), date(&v4, "issue_until"));
    let resp = book_issue_visit(&app, r4, &slot4, [&m4, &w4]).await;
    assert_eq!(resp.status(), 201);
    let held: Value = resp.json().await.unwrap();
    let held_ref = reference_and_token(&held).0.to_owned();
    let resp = desk
        .divorce_step(r4, "withdrawal", json!({"party": 0}))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(appointment_status(&app, &held_ref), "cancelled");
    assert_eq!(seats_taken(&app, &slot4), 0);
    let p = problem(book_issue_visit(&app, r4, &slot4, [&m4, &w4]).await).await;
    assert_eq!(p["status"], 409);
    assert_eq!(p["current_status"], "withdrawn");
    assert!(p["issue_until"].is_string());
}

/// Seats taken of a stored slot (0 when it was never stored).
fn seats_taken(app: &TestApp, slot: &str) -> i32 {
    use diesel::prelude::*;
    schema::slots::table
        .find(slot)
        .select(schema::slots::booked)
        .first(&mut app.connect())
        .optional()
        .unwrap()
        .unwrap_or(0)
}

#[tokio::test]
async fn an_issue_visit_needs_the_contacts_recorded_at_receipt_in_contact_mode() {
    let app = crate::support::divorce::spawn_divorce_app();
    let desk = Counter::open(&app, OFFICE).await;
    let number = desk.registered(5).await;
    let (man, woman) = (nth_person(5, true), nth_person(5, false));
    let resp = desk
        .receive_divorce(receive_with(&man, &woman, &number, json!({})))
        .await;
    let v: Value = resp.json().await.unwrap();
    move_to(&app, date(&v, "cooling_off_ends"));
    let slot = first_slot_between(&app, OFFICE, clock_today(&app), date(&v, "issue_until"));
    let r = v["reference"].as_str().unwrap();
    let p = problem(book_issue_visit(&app, r, &slot, [&man, &woman]).await).await;
    assert_eq!(p["status"], 422);
    assert_eq!(p["code"], "divorce_contacts_missing");
    let resp = book_issue_visit(&app, r, &slot, [&man, "not-an-id"]).await;
    let p = problem(resp).await;
    assert_eq!(p["status"], 400);
    assert_eq!(p["invalid_params"][0]["name"], "id_numbers[1]");
}

#[tokio::test]
async fn a_divorce_visit_is_not_counted_as_a_marriage_booking() {
    let app = crate::support::divorce::spawn_divorce_app();
    let slot = app.first_slot(OFFICE).await;
    app.booked(OFFICE, &slot, nth_couple(21)).await;
    visit_booked(&app, 22).await;
    let auditor = app.auditor(OFFICE).await;
    let day = crate::support::today();
    let resp = app
        .get_authed(
            &format!("/v1/registrar/statistics?from={day}&to={day}"),
            &auditor,
        )
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["total"]["appointments_booked"], 1, "{}", v["total"]);
    assert_eq!(v["total"]["bookings_confirmed"], 1, "{}", v["total"]);
}

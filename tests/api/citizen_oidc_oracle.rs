//! Oidc mode, no oracle (issue 15): the answer to a signed-in booking is the same in full
//! whether the named second party already holds an appointment, is married, or neither; a
//! conflict is told only to that person, signed in. A stranger's session gets, for someone
//! else's appointment, exactly the answer to an unknown reference, and changes nothing.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::citizen_oidc_booking::{
    book, booked_couple, booking_setup, json, mine, signed_in, OFFICE,
};
use crate::support::answers::answer;
use crate::support::oidc::{user, Browser};
use crate::support::{add_resident, fresh_emails, problem};

#[tokio::test]
async fn a_booking_answers_alike_whether_the_second_party_holds_an_appointment_is_married_or_neither(
) {
    let Some(setup) = booking_setup() else { return };
    let app = &setup.app;
    let slots = app.slots(OFFICE).await;
    let slot = |i: usize| slots[i]["id"].as_str().unwrap().to_owned();
    // Bob holds a booking (with Alice); Frank is married in the register; Dave is neither.
    let (mut bob, _alice, _, _) = booked_couple(&setup, &slot(0)).await;
    let frank = user("frank");
    add_resident(app, &frank.id_number, &frank.name, "320508", "married");

    let carol = user("carol");
    let mut c = signed_in(&setup, "carol").await;
    let mut answers = Vec::new();
    for (i, second) in ["bob", "frank", "dave"].iter().enumerate() {
        let resp = book(
            &mut c,
            &setup,
            &slot(1 + i),
            (&carol, &user(second)),
            &fresh_emails(),
        )
        .await;
        assert_eq!(resp.status(), 201, "naming {second}");
        let reference = resp.headers()["location"]
            .to_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        answers.push((second, answer(resp).await));
        // Carol lets it go, to book the next one (one hold at a time).
        let resp = c.delete(&mine(&setup, &reference, "")).await;
        assert_eq!(resp.status(), 200);
    }
    for (second, a) in &answers[1..] {
        assert_eq!(a, &answers[0].1, "naming {second} answers as naming bob");
    }

    // Only Bob, signed in as himself, learns that he already holds one: on confirming.
    let emails = fresh_emails();
    let resp = book(&mut c, &setup, &slot(4), (&carol, &user("bob")), &emails).await;
    assert_eq!(resp.status(), 201);
    let reference = json(resp).await["reference"].as_str().unwrap().to_owned();
    let resp = bob.post(&mine(&setup, &reference, "/confirmation")).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "already_booked");
    let seen = json(c.get(&mine(&setup, &reference, "")).await).await;
    assert_eq!(seen["status"], "pending_confirmation", "nothing confirmed");
    assert_eq!(
        app.remaining(OFFICE, &slot(0)).await,
        9,
        "Bob's booking stands"
    );
}

#[tokio::test]
async fn a_strangers_session_cannot_see_confirm_change_or_cancel_someone_elses_appointment() {
    let Some(setup) = booking_setup() else { return };
    let app = &setup.app;
    let slots = app.slots(OFFICE).await;
    let (slot0, slot1) = (
        slots[0]["id"].as_str().unwrap().to_owned(),
        slots[1]["id"].as_str().unwrap().to_owned(),
    );
    // Bob's hold naming Alice, not confirmed yet.
    let mut bob = signed_in(&setup, "bob").await;
    let resp = book(
        &mut bob,
        &setup,
        &slot0,
        (&user("bob"), &user("alice")),
        &fresh_emails(),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let reference = json(resp).await["reference"].as_str().unwrap().to_owned();

    let mut dave = signed_in(&setup, "dave").await;
    let list = json(dave.get(&app.url("/v1/citizen/appointments")).await).await;
    assert_eq!(list["appointments"], json!([]), "{list}");
    let unknown = "AP-ZZZZZZ";
    let patch = json!({"slot_id": slot1});
    // Only the PATCH carries a body: a body no handler reads would end the connection.
    async fn send(b: &mut Browser, method: &Method, url: &str, patch: &Value) -> Response {
        match *method {
            Method::GET => b.get(url).await,
            Method::DELETE => b.delete(url).await,
            Method::POST => b.post(url).await,
            _ => b.json(method.clone(), url, patch).await,
        }
    }
    for (method, tail) in [
        (Method::GET, ""),
        (Method::PATCH, ""),
        (Method::DELETE, ""),
        (Method::POST, "/confirmation"),
    ] {
        let theirs = send(&mut dave, &method, &mine(&setup, &reference, tail), &patch).await;
        let none = send(&mut dave, &method, &mine(&setup, unknown, tail), &patch).await;
        assert_eq!(theirs.status(), 404, "{method} {tail}");
        assert_eq!(answer(theirs).await, answer(none).await, "{method} {tail}");
    }
    // Nothing changed: still Bob's hold, on its seat, awaiting Alice.
    let seen = json(bob.get(&mine(&setup, &reference, "")).await).await;
    assert_eq!(seen["status"], "pending_confirmation");
    assert_eq!(seen["slot"]["id"], slot0.as_str());
    assert_eq!(app.remaining(OFFICE, &slot0).await, 9);
    // And without any session, 401.
    for path in [
        "/v1/citizen/appointments".to_owned(),
        format!("/v1/citizen/appointments/{reference}"),
    ] {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), 401);
        assert_eq!(problem(resp).await["code"], "unauthenticated");
    }
}

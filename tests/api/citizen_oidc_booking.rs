//! Oidc mode with a real OpenID Connect provider (issue 15): the first party books signed in,
//! the hold waits for the second party to sign in and confirm, then stands (mail, the counter
//! sees both sign-ins); "我的预约" lists, reschedules and cancels without a manage token; an
//! unconfirmed hold lapses, frees its seat and both are told.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::support::lib::IdentityModeSetting;
use crate::support::oidc::{oidc_setup_with, user, Browser, OidcSetup, User};
use crate::support::statistics::json_of;
use crate::support::{
    audit_count, eventually, expire_holds, fresh_emails, party, problem, Counter,
};

pub(crate) const OFFICE: &str = "sz-gusu";

/// A provider and an app in oidc identity mode.
pub(crate) fn booking_setup() -> Option<OidcSetup> {
    oidc_setup_with("name", "id_number", |s| {
        s.identity.mode = IdentityModeSetting::Oidc;
        s.booking.listing_cache_ms = 0;
    })
}

/// A browser signed in as `login`.
pub(crate) async fn signed_in(setup: &OidcSetup, login: &str) -> Browser {
    let mut b = Browser::new();
    let resp = b.sign_in(setup, login).await;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    assert_eq!(status, 200, "{login} signs in: {body}");
    b
}

pub(crate) fn body(slot: &str, first: &User, second: &User, emails: &[String; 2]) -> Value {
    json!({
        "office_id": OFFICE,
        "slot_id": slot,
        "parties": [
            party(&first.id_number, &first.name, "320508", None),
            party(&second.id_number, &second.name, "320508", None),
        ],
        "contact": {"emails": emails},
    })
}

/// `browser` books `slot` for `first` (who should be the signed-in person) and `second`.
pub(crate) async fn book(
    browser: &mut Browser,
    setup: &OidcSetup,
    slot: &str,
    couple: (&User, &User),
    emails: &[String; 2],
) -> Response {
    let url = setup.app.url("/v1/appointments");
    let b = body(slot, couple.0, couple.1, emails);
    browser.json(Method::POST, &url, &b).await
}

pub(crate) fn mine(setup: &OidcSetup, reference: &str, tail: &str) -> String {
    setup
        .app
        .url(&format!("/v1/citizen/appointments/{reference}{tail}"))
}

pub(crate) async fn json(resp: Response) -> Value {
    resp.json().await.expect("a JSON answer")
}

/// Bob books `slot` naming Alice, Alice confirms: both browsers, the reference, the emails.
pub(crate) async fn booked_couple(
    setup: &OidcSetup,
    slot: &str,
) -> (Browser, Browser, String, [String; 2]) {
    let emails = fresh_emails();
    let mut bob = signed_in(setup, "bob").await;
    let resp = book(
        &mut bob,
        setup,
        slot,
        (&user("bob"), &user("alice")),
        &emails,
    )
    .await;
    assert_eq!(resp.status(), 201);
    let reference = json(resp).await["reference"].as_str().unwrap().to_owned();
    let mut alice = signed_in(setup, "alice").await;
    let resp = alice.post(&mine(setup, &reference, "/confirmation")).await;
    assert_eq!(resp.status(), 200);
    (bob, alice, reference, emails)
}

#[tokio::test]
async fn the_second_party_confirms_by_signing_in_and_the_booking_stands() {
    let Some(setup) = booking_setup() else { return };
    let app = &setup.app;
    let slot = app.first_slot(OFFICE).await;
    let (bob, alice) = (user("bob"), user("alice"));
    let emails = fresh_emails();

    // Without a session: 401, nothing held.
    let resp = app
        .post_json("/v1/appointments", &body(&slot, &bob, &alice, &emails))
        .await;
    assert_eq!(resp.status(), 401);
    assert_eq!(problem(resp).await["code"], "unauthenticated");
    assert_eq!(app.remaining(OFFICE, &slot).await, 10);

    let mut b = signed_in(&setup, "bob").await;
    // The first party is the signed-in person, not someone the body names.
    let resp = book(&mut b, &setup, &slot, (&alice, &bob), &emails).await;
    assert_eq!(resp.status(), 422);
    let p = problem(resp).await;
    assert_eq!(p["code"], "first_party_not_signed_in");
    assert_eq!(
        p["invalid_params"][0]["name"], "parties[0].id_number",
        "{p}"
    );
    assert_eq!(app.remaining(OFFICE, &slot).await, 10);

    let resp = book(&mut b, &setup, &slot, (&bob, &alice), &emails).await;
    assert_eq!(resp.status(), 201);
    let v = json(resp).await;
    let reference = v["reference"].as_str().unwrap().to_owned();
    assert_eq!(v["status"], "pending_confirmation");
    assert_eq!(app.remaining(OFFICE, &slot).await, 9);
    // One hold or appointment at a time for the signed-in person, told to them.
    let again = book(&mut b, &setup, &slot, (&bob, &alice), &fresh_emails()).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["code"], "already_booked");
    eventually("the second party's notice", || {
        app.mails_to(&emails[1])
            .iter()
            .any(|m| m.subject.contains("请实名登录确认"))
    })
    .await;
    eventually("the first party's notice", || {
        app.mails_to(&emails[0])
            .iter()
            .any(|m| m.subject.contains("待对方确认"))
    })
    .await;

    // The first party cannot confirm for the second: the same answer as an unknown reference.
    let resp = b.post(&mine(&setup, &reference, "/confirmation")).await;
    assert_eq!(resp.status(), 404);
    assert_eq!(problem(resp).await["code"], "not_found");

    let mut a = signed_in(&setup, "alice").await;
    let list = json(a.get(&app.url("/v1/citizen/appointments")).await).await;
    let mine_now = &list["appointments"][0];
    assert_eq!(mine_now["reference"], reference.as_str(), "{list}");
    assert_eq!(mine_now["my_party"], 1);
    assert_eq!(mine_now["awaiting_my_confirmation"], true);
    assert!(mine_now["confirm_by"].is_string());
    assert!(mine_now.get("manage_token").is_none());

    let resp = a.post(&mine(&setup, &reference, "/confirmation")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let done = json(resp).await;
    assert_eq!(done["status"], "booked");
    assert_eq!(
        (done["party"].clone(), done["parties_confirmed"].clone()),
        (json!(1), json!(2))
    );
    let twice = a.post(&mine(&setup, &reference, "/confirmation")).await;
    assert_eq!(twice.status(), 409);
    assert_eq!(problem(twice).await["code"], "confirmation_used");

    let seen = json(b.get(&mine(&setup, &reference, "")).await).await;
    assert_eq!(seen["status"], "booked");
    assert_eq!(seen["my_party"], 0);
    assert_eq!(app.remaining(OFFICE, &slot).await, 9, "still one seat");
    for e in &emails {
        eventually("the booking's confirmation", || {
            app.mails_to(e)
                .iter()
                .any(|m| m.subject.contains("预约成功") && m.calendar.is_some())
        })
        .await;
    }
    // The counter sees both sign-ins (and still checks the ID cards).
    let desk = Counter::open(app, OFFICE).await;
    let read = json(desk.get_application(&reference).await).await;
    for (i, login) in ["bob", "alice"].iter().enumerate() {
        let who = &read["identified_by"][i];
        assert_eq!(who["method"], "oidc", "{read}");
        assert_eq!(who["subject"], *login);
        assert_eq!(who["issuer"], setup.provider.issuer.as_str());
        assert!(who["confirmed_at"].is_string());
    }
    assert_eq!(audit_count(app, "appointment.confirmed"), 1);
    let auditor = app.auditor(OFFICE).await;
    let stats = json_of(app, &auditor, "").await;
    assert_eq!(stats["total"]["bookings_confirmed"], 1, "{stats}");
}

#[tokio::test]
async fn my_appointments_are_rescheduled_and_cancelled_by_either_party_without_a_token() {
    let Some(setup) = booking_setup() else { return };
    let app = &setup.app;
    let slots = app.slots(OFFICE).await;
    let slot = |i: usize| slots[i]["id"].as_str().unwrap().to_owned();
    let (mut bob, mut alice, reference, emails) = booked_couple(&setup, &slot(0)).await;

    let resp = alice
        .json(
            Method::PATCH,
            &mine(&setup, &reference, ""),
            &json!({"slot_id": slot(1)}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let moved = json(resp).await;
    assert_eq!(moved["slot"]["id"], slot(1).as_str());
    assert_eq!(moved["status"], "booked");
    assert_eq!(app.remaining(OFFICE, &slot(0)).await, 10);
    assert_eq!(app.remaining(OFFICE, &slot(1)).await, 9);
    assert_eq!(audit_count(app, "appointment.rescheduled"), 1);

    let resp = bob.delete(&mine(&setup, &reference, "")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp).await["status"], "cancelled");
    assert_eq!(app.remaining(OFFICE, &slot(1)).await, 10);
    let list = json(alice.get(&app.url("/v1/citizen/appointments")).await).await;
    assert_eq!(list["appointments"][0]["status"], "cancelled", "{list}");
    // Whichever party changed it, both parties' own emails are told.
    for e in &emails {
        eventually("the update and the cancellation to both parties", || {
            let mails = app.mails_to(e);
            let has = |what: &str| {
                mails
                    .iter()
                    .any(|m| m.subject.contains(what) && m.calendar.is_some())
            };
            has("已改期") && has("已取消")
        })
        .await;
    }
    let again = bob.delete(&mine(&setup, &reference, "")).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["code"], "appointment_closed");
    // Both persons are free again: Bob books anew.
    let resp = book(
        &mut bob,
        &setup,
        &slot(2),
        (&user("bob"), &user("alice")),
        &fresh_emails(),
    )
    .await;
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn an_unconfirmed_hold_lapses_frees_its_seat_and_both_are_told() {
    let Some(setup) = booking_setup() else { return };
    let app = &setup.app;
    let slot = app.first_slot(OFFICE).await;
    let (carol, dave) = (user("carol"), user("dave"));
    let emails = fresh_emails();
    let mut c = signed_in(&setup, "carol").await;
    let resp = book(&mut c, &setup, &slot, (&carol, &dave), &emails).await;
    assert_eq!(resp.status(), 201);
    let reference = json(resp).await["reference"].as_str().unwrap().to_owned();
    assert_eq!(app.remaining(OFFICE, &slot).await, 9);

    expire_holds(app);
    for e in &emails {
        eventually("the lapse notice", || {
            app.mails_to(e)
                .iter()
                .any(|m| m.subject.contains("名额已释放"))
        })
        .await;
    }
    assert_eq!(
        app.remaining(OFFICE, &slot).await,
        10,
        "the seat is free again"
    );
    let mut d = signed_in(&setup, "dave").await;
    let late = d.post(&mine(&setup, &reference, "/confirmation")).await;
    assert_eq!(late.status(), 409);
    assert_eq!(problem(late).await["code"], "confirmation_expired");
    let seen = json(c.get(&mine(&setup, &reference, "")).await).await;
    assert_eq!(seen["status"], "lapsed");
    // The signed-in first party is free to book again.
    let resp = book(&mut c, &setup, &slot, (&carol, &dave), &fresh_emails()).await;
    assert_eq!(resp.status(), 201);
    let auditor = app.auditor(OFFICE).await;
    let stats = json_of(app, &auditor, "").await;
    assert_eq!(stats["total"]["holds_lapsed"], 1, "{stats}");
    assert_eq!(stats["total"]["bookings_confirmed"], 0);
}

/// Two bookings name Dave; he confirms both at once from two sessions: the database (one active
/// appointment per person) lets exactly one stand, the other is told `already_booked`.
#[tokio::test]
async fn one_person_confirming_two_bookings_at_once_stands_in_one_only() {
    let Some(setup) = booking_setup() else { return };
    let app = &setup.app;
    let slots = app.slots(OFFICE).await;
    let slot = |i: usize| slots[i]["id"].as_str().unwrap().to_owned();
    let dave = user("dave");
    let mut references = Vec::new();
    for (i, login) in ["carol", "alice"].iter().enumerate() {
        let mut b = signed_in(&setup, login).await;
        let resp = book(
            &mut b,
            &setup,
            &slot(i),
            (&user(login), &dave),
            &fresh_emails(),
        )
        .await;
        assert_eq!(resp.status(), 201);
        references.push(json(resp).await["reference"].as_str().unwrap().to_owned());
    }
    let (mut one, mut two) = (
        signed_in(&setup, "dave").await,
        signed_in(&setup, "dave").await,
    );
    let (u1, u2) = (
        mine(&setup, &references[0], "/confirmation"),
        mine(&setup, &references[1], "/confirmation"),
    );
    let (a, b) = tokio::join!(one.post(&u1), two.post(&u2));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    let refused = if a.status() == 409 { a } else { b };
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(problem(refused).await["code"], "already_booked");
    let list = json(one.get(&app.url("/v1/citizen/appointments")).await).await;
    let booked = list["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "booked")
        .count();
    assert_eq!(booked, 1, "{list}");
}

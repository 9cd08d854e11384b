//! Contact mode (`identity.mode = "contact"`, the default): a booking holds its seat until both
//! parties confirm through the link mailed to their own email; links used twice, late or forged;
//! the lapse; no oracle about a named person; no lock-out by booking in someone's name; the
//! holds-per-contact limit across instances; how the counter sees each party identified.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::support::answers::answer;
use crate::support::lib::IdentityModeSetting;
use crate::support::statistics::json_of;
use crate::support::{
    audit_count, confirmed_parties, eventually, expire_holds, fresh_emails, nth_person, party,
    problem, spawn_app, spawn_app_on, spawn_app_with, Counter, TestApp,
};

const OFFICE: &str = "sz-gusu";

fn couple_of(man: u32, woman: u32) -> Value {
    json!([
        party(&nth_person(man, true), "王强", "320508", None),
        party(&nth_person(woman, false), "李娜", "320508", None),
    ])
}

async fn hold(app: &TestApp, slot: &str, parties: Value, emails: &[String; 2]) -> Value {
    let resp = app
        .book_with(OFFICE, slot, parties, [&emails[0], &emails[1]])
        .await;
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

async fn status_of(app: &TestApp, booking: &Value) -> String {
    let resp = app
        .view_appointment(
            booking["reference"].as_str().unwrap(),
            booking["manage_token"].as_str(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn both_parties_confirm_then_the_hold_is_booked_and_both_get_the_invitation() {
    let app = spawn_app().await;
    let slot = app.first_slot(OFFICE).await;
    let emails = fresh_emails();
    let v = hold(&app, &slot, couple_of(1, 2), &emails).await;
    assert_eq!(v["status"], "pending_confirmation");
    assert_eq!(app.remaining(OFFICE, &slot).await, 9);

    let first = app.confirm(&app.confirmation_token(&emails[0]).await).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["cache-control"], "no-store");
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "pending_confirmation");
    assert_eq!(
        (first["party"].clone(), first["parties_confirmed"].clone()),
        (json!(0), json!(1))
    );
    assert_eq!(
        status_of(&app, &v).await,
        "pending_confirmation",
        "one is not both"
    );

    let second = app.confirm(&app.confirmation_token(&emails[1]).await).await;
    let second: Value = second.json().await.unwrap();
    assert_eq!(second["status"], "booked");
    assert_eq!(second["parties_confirmed"], 2);
    assert_eq!(status_of(&app, &v).await, "booked");
    assert_eq!(app.remaining(OFFICE, &slot).await, 9, "still one seat");
    // Each party's own contact gets the booking's confirmation with the invitation.
    for e in &emails {
        eventually("the booking's confirmation", || {
            app.mails_to(e)
                .iter()
                .any(|m| m.subject.contains("预约成功") && m.calendar.is_some())
        })
        .await;
    }
    assert_eq!(audit_count(&app, "appointment.confirmed"), 1);
    // The counter sees how each party was identified (and still checks the ID card).
    let counter = Counter::open(&app, OFFICE).await;
    let read: Value = counter
        .get_application(v["reference"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    for i in 0..2 {
        let who = &read["identified_by"][i];
        assert_eq!(who["method"], "contact", "{read}");
        assert_eq!(who["contact"], emails[i].as_str());
        assert!(who["confirmed_at"].is_string());
    }
    // Statistics count the confirmed booking.
    let auditor = app.auditor(OFFICE).await;
    let stats = json_of(&app, &auditor, "").await;
    assert_eq!(stats["total"]["bookings_confirmed"], 1, "{stats}");
    assert_eq!(stats["total"]["holds_lapsed"], 0);
}

#[tokio::test]
async fn a_link_used_twice_late_or_forged_gets_a_stable_code_and_changes_nothing() {
    let app = spawn_app().await;
    let slot = app.first_slot(OFFICE).await;
    let emails = fresh_emails();
    let v = hold(&app, &slot, couple_of(11, 12), &emails).await;
    let forged = "ab".repeat(32);
    for token in [forged.as_str(), "not-a-token", ""] {
        let resp = app.confirm(token).await;
        assert_eq!(resp.status(), 404, "{token}");
        assert_eq!(problem(resp).await["code"], "confirmation_invalid");
    }
    assert_eq!(confirmed_parties(&app), 0);
    let a = app.confirmation_token(&emails[0]).await;
    assert_eq!(app.confirm(&a).await.status(), 200);
    let again = app.confirm(&a).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["code"], "confirmation_used");
    assert_eq!(confirmed_parties(&app), 1);
    assert_eq!(status_of(&app, &v).await, "pending_confirmation");

    // The deadline passes: the other link is refused, the sweep releases the seat, both told.
    expire_holds(&app);
    let b = app.confirmation_token(&emails[1]).await;
    let late = app.confirm(&b).await;
    assert_eq!(late.status(), 409);
    assert_eq!(problem(late).await["code"], "confirmation_expired");
    assert_eq!(confirmed_parties(&app), 1, "nothing confirmed late");
    for e in &emails {
        eventually("the lapse notice", || {
            app.mails_to(e)
                .iter()
                .any(|m| m.subject.contains("名额已释放"))
        })
        .await;
    }
    assert_eq!(status_of(&app, &v).await, "lapsed");
    assert_eq!(
        app.remaining(OFFICE, &slot).await,
        10,
        "the seat is free again"
    );
    let after = app.confirm(&b).await;
    assert_eq!(problem(after).await["code"], "confirmation_expired");
    let auditor = app.auditor(OFFICE).await;
    let stats = json_of(&app, &auditor, "").await;
    assert_eq!(stats["total"]["holds_lapsed"], 1, "{stats}");
    assert_eq!(stats["total"]["bookings_confirmed"], 0);
}

#[tokio::test]
async fn a_hold_cancelled_with_its_manage_token_frees_the_seat_and_its_links() {
    let app = spawn_app().await;
    let slot = app.first_slot(OFFICE).await;
    let emails = fresh_emails();
    let v = hold(&app, &slot, couple_of(21, 22), &emails).await;
    let (r, t) = (
        v["reference"].as_str().unwrap(),
        v["manage_token"].as_str().unwrap(),
    );
    assert_eq!(app.cancel(r, t).await.status(), 200);
    assert_eq!(app.remaining(OFFICE, &slot).await, 10);
    let resp = app.confirm(&app.confirmation_token(&emails[0]).await).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "appointment_closed");
    assert_eq!(confirmed_parties(&app), 0);
}

/// Someone books in the name of a man who already holds a booking, and of one who holds none:
/// the answers to the booking and to both confirmations are alike in full. Only the man's own
/// contacts learn of it (their booking is released by the later confirmation).
#[tokio::test]
async fn no_oracle_booking_answers_alike_whether_a_person_holds_a_booking_or_not() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    let slot = |i: usize| slots[i]["id"].as_str().unwrap().to_owned();
    let own = fresh_emails();
    let existing = hold(&app, &slot(0), couple_of(31, 32), &own).await;
    app.confirm_both([&own[0], &own[1]]).await;

    let (probe, control) = (fresh_emails(), fresh_emails());
    let held = app
        .book_with(OFFICE, &slot(1), couple_of(31, 33), [&probe[0], &probe[1]])
        .await;
    let fresh = app
        .book_with(
            OFFICE,
            &slot(1),
            couple_of(34, 35),
            [&control[0], &control[1]],
        )
        .await;
    assert_eq!(
        answer(held).await,
        answer(fresh).await,
        "the booking answers"
    );
    for i in 0..2 {
        let a = app.confirm(&app.confirmation_token(&probe[i]).await).await;
        let b = app
            .confirm(&app.confirmation_token(&control[i]).await)
            .await;
        assert_eq!(answer(a).await, answer(b).await, "confirmation {i}");
    }
    // The man's earlier booking was released, and his own contacts were told.
    assert_eq!(status_of(&app, &existing).await, "superseded");
    assert_eq!(app.remaining(OFFICE, &slot(0)).await, 10);
    for e in &own {
        eventually("the release notice to the holder's own contact", || {
            app.mails_to(e).iter().any(|m| m.subject.contains("已取消"))
        })
        .await;
    }
    for e in probe.iter().chain(&control) {
        assert!(
            !app.mails_to(e).iter().any(|m| m.subject.contains("已取消")),
            "nothing told to {e}"
        );
    }
}

/// An attacker books in a victim's name with the attacker's own emails (and confirms them, and
/// leaves another hold unconfirmed): the victim still books and confirms; the attacker's booking
/// is released.
#[tokio::test]
async fn no_lock_out_the_victim_books_and_confirms_after_an_attacker_booked_in_their_name() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    let slot = |i: usize| slots[i]["id"].as_str().unwrap().to_owned();
    let attacker = fresh_emails();
    let confirmed = hold(&app, &slot(0), couple_of(41, 42), &attacker).await;
    app.confirm_both([&attacker[0], &attacker[1]]).await;
    let pending = hold(&app, &slot(1), couple_of(41, 43), &fresh_emails()).await;
    assert_eq!(status_of(&app, &confirmed).await, "booked");

    let victim = fresh_emails();
    let own = hold(&app, &slot(2), couple_of(41, 44), &victim).await;
    app.confirm_both([&victim[0], &victim[1]]).await;
    assert_eq!(status_of(&app, &own).await, "booked");
    assert_eq!(status_of(&app, &confirmed).await, "superseded");
    assert_eq!(
        status_of(&app, &pending).await,
        "pending_confirmation",
        "an unconfirmed hold is no booking: nothing to release"
    );
    assert_eq!(app.remaining(OFFICE, &slot(0)).await, 10);
    assert_eq!(audit_count(&app, "appointment.superseded"), 1);
}

/// Eight bookings naming one email race over two instances on one database, each on its own
/// slot (so no seat row queues them): the limit (`booking.holds_per_contact` = 3) holds for
/// both instances at once.
#[tokio::test]
async fn holds_per_contact_are_limited_in_the_database_across_instances() {
    // No listing cache: one instance's listing must show the other's bookings.
    let one = spawn_app_with(|s| s.booking.listing_cache_ms = 0);
    let two = spawn_app_on(one.db.clone(), one.db.url(), |s| {
        s.booking.listing_cache_ms = 0
    });
    let slots: Vec<String> = one.slots(OFFICE).await[..8]
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let shared = fresh_emails()[0].clone();
    let (one, two) = (&one, &two);
    let attempts = (0..8u32).map(|i| {
        let app = if i % 2 == 0 { one } else { two };
        let other = fresh_emails()[1].clone();
        let shared = shared.clone();
        let slot = slots[i as usize].clone();
        async move {
            app.book_with(OFFICE, &slot, couple_of(50 + i, 60 + i), [&shared, &other])
                .await
        }
    });
    let mut held = 0;
    for resp in join_all(attempts).await {
        match resp.status().as_u16() {
            201 => held += 1,
            409 => assert_eq!(problem(resp).await["code"], "too_many_holds"),
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(held, 3);
    let taken: i64 = one.slots(OFFICE).await[..8]
        .iter()
        .map(|s| 10 - s["remaining"].as_i64().unwrap())
        .sum();
    assert_eq!(taken, 3, "refused bookings took no seat");
}

/// `identity.mode = "oidc"`: a booking without the citizen session is 401 and holds nothing
/// (the signed-in walk is `citizen_oidc_booking.rs`).
#[tokio::test]
async fn oidc_mode_refuses_a_booking_without_a_signed_in_person() {
    let app = spawn_app_with(|s| s.identity.mode = IdentityModeSetting::Oidc);
    let slot = app.first_slot(OFFICE).await;
    let resp = app.book(OFFICE, &slot, couple_of(71, 72)).await;
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("www-authenticate"));
    assert_eq!(problem(resp).await["code"], "unauthenticated");
    assert_eq!(app.remaining(OFFICE, &slot).await, 10, "no seat held");
}

/// A hold is no application yet: not in the counter's queue, not checked in; once both
/// parties confirm, it is.
#[tokio::test]
async fn the_counter_sees_a_hold_only_once_both_parties_confirmed() {
    let app = spawn_app().await;
    let slot = app.first_slot(OFFICE).await;
    let emails = fresh_emails();
    let v = hold(&app, &slot, couple_of(81, 82), &emails).await;
    crate::support::database::slot_today(&app, &slot);
    let reference = v["reference"].as_str().unwrap();
    let desk = Counter::open(&app, OFFICE).await;
    let queued = |q: Value| {
        q["applications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["reference"] == reference)
    };
    let path = format!("/v1/registrar/offices/{OFFICE}/queue");
    assert!(!queued(desk.get(&path).await.json().await.unwrap()));
    let early = desk.check_in(reference).await;
    assert_eq!(early.status(), 409);
    assert_eq!(problem(early).await["code"], "invalid_transition");
    app.confirm_both([&emails[0], &emails[1]]).await;
    assert!(queued(desk.get(&path).await.json().await.unwrap()));
    assert_eq!(desk.check_in(reference).await.status(), 200);
}

/// Each party may let the booking go through their own link, without the manage token: a hold
/// made in their name at once, a booking once confirmed (both told, with the CANCEL).
#[tokio::test]
async fn each_party_releases_the_booking_through_their_own_link() {
    let app = spawn_app().await;
    let slots = app.slots(OFFICE).await;
    let slot = |i: usize| slots[i]["id"].as_str().unwrap().to_owned();
    let release = |token: String| {
        let app = &app;
        async move {
            app.post_json("/v1/confirmations/release", &json!({ "token": token }))
                .await
        }
    };
    // "Not me": the second party releases a hold before anyone confirmed.
    let emails = fresh_emails();
    let v = hold(&app, &slot(0), couple_of(91, 92), &emails).await;
    let resp = release(app.confirmation_token(&emails[1]).await).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "cancelled");
    assert_eq!(status_of(&app, &v).await, "cancelled");
    assert_eq!(app.remaining(OFFICE, &slot(0)).await, 10);
    let late = app.confirm(&app.confirmation_token(&emails[0]).await).await;
    assert_eq!(problem(late).await["code"], "appointment_closed");

    // A confirmed booking, released by its second party.
    let emails = fresh_emails();
    let v = hold(&app, &slot(1), couple_of(93, 94), &emails).await;
    app.confirm_both([&emails[0], &emails[1]]).await;
    let token = app.confirmation_token(&emails[1]).await;
    assert_eq!(release(token.clone()).await.status(), 200);
    assert_eq!(status_of(&app, &v).await, "cancelled");
    assert_eq!(app.remaining(OFFICE, &slot(1)).await, 10);
    for e in &emails {
        eventually("the cancellation to both parties", || {
            app.mails_to(e)
                .iter()
                .any(|m| m.subject.contains("已取消") && m.calendar.is_some())
        })
        .await;
    }
    let again = release(token).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["code"], "appointment_closed");
    let forged = release("cd".repeat(32)).await;
    assert_eq!(forged.status(), 404);
    assert_eq!(problem(forged).await["code"], "confirmation_invalid");
    assert_eq!(audit_count(&app, "appointment.released_by_party"), 2);
}

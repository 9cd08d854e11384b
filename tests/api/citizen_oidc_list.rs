//! "我的预约" cannot be flooded: someone signed in who books and cancels holds naming a person
//! as second party, over and over, never pushes that person's own appointment off their list,
//! and those holds (never theirs) do not show there once closed.

use crate::citizen_oidc_booking::{book, booked_couple, booking_setup, json, signed_in, OFFICE};
use crate::support::fresh_emails;
use crate::support::oidc::user;

#[tokio::test]
async fn holds_booked_and_cancelled_in_a_persons_name_never_push_their_appointment_off_the_list() {
    let Some(setup) = booking_setup() else { return };
    let app = &setup.app;
    let slots = app.slots(OFFICE).await;
    let slot = |i: usize| slots[i]["id"].as_str().unwrap().to_owned();
    // Bob books naming Alice, Alice confirms: her real appointment.
    let (_bob, mut alice, reference, _) = booked_couple(&setup, &slot(0)).await;
    // Dave, signed in, books a hold naming Alice (his own mailboxes) and cancels it, 55 times.
    let mut dave = signed_in(&setup, "dave").await;
    for _ in 0..55 {
        let emails = fresh_emails();
        let resp = book(
            &mut dave,
            &setup,
            &slot(1),
            (&user("dave"), &user("alice")),
            &emails,
        )
        .await;
        assert_eq!(resp.status(), 201);
        let held = json(resp).await["reference"].as_str().unwrap().to_owned();
        let url = app.url(&format!("/v1/citizen/appointments/{held}"));
        assert_eq!(dave.delete(&url).await.status(), 200);
    }
    let list = json(alice.get(&app.url("/v1/citizen/appointments")).await).await;
    let listed: Vec<&str> = list["appointments"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|a| a["reference"].as_str())
        .collect();
    assert_eq!(
        listed,
        vec![reference.as_str()],
        "only her own appointment: {list}"
    );
}

#[tokio::test]
async fn holds_naming_a_persons_email_never_keep_them_from_booking_signed_in() {
    let Some(setup) = booking_setup() else { return };
    let app = &setup.app;
    let slot = app.first_slot(OFFICE).await;
    let victim = fresh_emails()[0].to_string();
    // Three people signed in each hold a booking naming Carol's email as their partner's.
    for login in ["bob", "dave", "frank"] {
        let mut b = signed_in(&setup, login).await;
        let emails = [fresh_emails()[0].clone(), victim.clone()];
        let resp = book(
            &mut b,
            &setup,
            &slot,
            (&user(login), &user("alice")),
            &emails,
        )
        .await;
        assert_eq!(resp.status(), 201, "{login} holds");
    }
    // Carol books with her own email all the same.
    let mut carol = signed_in(&setup, "carol").await;
    let emails = [victim.clone(), fresh_emails()[1].clone()];
    let resp = book(
        &mut carol,
        &setup,
        &slot,
        (&user("carol"), &user("dave")),
        &emails,
    )
    .await;
    assert_eq!(
        resp.status(),
        201,
        "{}",
        resp.text().await.unwrap_or_default()
    );
}

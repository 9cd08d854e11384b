//! A divorce's application visit booked signed in (oidc mode): the mails to both parties speak
//! of the divorce application, never of a marriage registration.

use reqwest::Method;

use crate::support::divorce::with_calendar;
use crate::support::lib::IdentityModeSetting;
use crate::support::oidc::{oidc_setup_with, user};
use crate::support::{eventually, fresh_emails};

use super::citizen_oidc_booking::{body, json, signed_in, OFFICE};

#[tokio::test]
async fn a_divorce_booked_signed_in_is_told_as_a_divorce() {
    let Some(setup) = oidc_setup_with("name", "id_number", |s| {
        s.identity.mode = IdentityModeSetting::Oidc;
        with_calendar(s);
    }) else {
        return;
    };
    let app = &setup.app;
    let slot = app.first_slot(OFFICE).await;
    let (bob, alice) = (user("bob"), user("alice"));
    let emails = fresh_emails();
    let mut b = signed_in(&setup, "bob").await;
    let mut booking = body(&slot, &bob, &alice, &emails);
    booking["service"] = "divorce".into();
    let url = app.url("/v1/appointments");
    let resp = b.json(Method::POST, &url, &booking).await;
    assert_eq!(resp.status(), 201);
    let v = json(resp).await;
    assert_eq!(v["status"], "pending_confirmation");
    for (i, e) in emails.iter().enumerate() {
        eventually("the signed-in booking's notice", || {
            app.mails_to(e).iter().any(|m| {
                m.subject.contains("离婚登记申请")
                    && m.text.contains("离婚登记申请")
                    && !m.subject.contains("结婚")
                    && !m.text.contains("结婚登记")
            })
        })
        .await;
        assert!(!app.mails_to(e).is_empty(), "party {i} was told");
    }
}

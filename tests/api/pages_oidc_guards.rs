//! What the pages' sign-in (oidc identity mode) guarantees without a browser: it starts only
//! from a form of this site, returns only to a local path of this site (the API's sign-in still
//! answers JSON), and on the booking page the session, never a posted field, names the first
//! party.

use reqwest::Url;
use serde_json::Value;

use crate::citizen_oidc_booking::{booking_setup, json, signed_in, OFFICE};
use crate::support::oidc::{location, user, Browser, OidcSetup};

/// A page sign-in from the form with `back`, through the provider as `login`: the callback's
/// answer.
async fn page_sign_in(
    b: &mut Browser,
    setup: &OidcSetup,
    back: &str,
    login: &str,
) -> reqwest::Response {
    let app = &setup.app;
    b.get(&app.url("/")).await;
    let url = app.url("/sign-in");
    let resp = b.form(&url, &[("back", back)]).await;
    assert_eq!(resp.status(), 303, "the sign-in form goes to the provider");
    let next = location(&Url::parse(&url).unwrap(), &resp);
    assert!(
        next.as_str().starts_with(&setup.provider.issuer),
        "at {next}"
    );
    let back = b.sign_in_from(next, &setup.callback, login).await;
    b.get(&back).await
}

fn where_to(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn pages_oidc_a_page_sign_in_returns_only_to_a_local_path() {
    let Some(setup) = booking_setup() else {
        return;
    };
    for (back, to) in [
        ("/my", "/my"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/my?next=//evil.example", "/"),
        ("/\\evil.example", "/"),
    ] {
        let mut b = Browser::new();
        let resp = page_sign_in(&mut b, &setup, back, "bob").await;
        assert_eq!(resp.status(), 303, "back {back:?}");
        assert_eq!(where_to(&resp), to, "back {back:?}");
        let me = b.get(&setup.app.url("/v1/citizen/me")).await;
        assert_eq!(me.status(), 200, "signed in after back {back:?}");
    }
    // The API's sign-in, in a browser that started one from a page before: JSON again.
    let mut b = Browser::new();
    b.get(&setup.app.url("/")).await;
    let url = setup.app.url("/sign-in");
    let resp = b.form(&url, &[("back", "/my")]).await;
    assert_eq!(resp.status(), 303);
    let resp = b.sign_in(&setup, "alice").await;
    assert_eq!(resp.status(), 200, "the API's callback answers JSON");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["name"], user("alice").name);
}

#[tokio::test]
async fn pages_oidc_a_sign_in_or_out_form_without_its_token_is_refused() {
    let Some(setup) = booking_setup() else {
        return;
    };
    let app = &setup.app;
    for path in ["/sign-in", "/sign-out"] {
        let resp = app
            .client
            .post(app.url(path))
            .header("sec-fetch-site", "same-origin")
            .header("cookie", "hunyin_csrf=0123456789abcdef0123456789abcdef")
            .form(&[("back", "/my")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "{path}");
        assert!(resp.headers().get("location").is_none(), "{path}");
    }
    // Signed in, a sign-out without the token leaves the session open.
    let mut bob = signed_in(&setup, "bob").await;
    let req = reqwest::Client::new()
        .post(app.url("/sign-out"))
        .form(&[("csrf", "x")]);
    let resp = bob.send(req, &app.url("/sign-out")).await;
    assert_eq!(resp.status(), 403);
    let me = bob.get(&app.url("/v1/citizen/me")).await;
    assert_eq!(me.status(), 200, "still signed in");
}

#[tokio::test]
async fn pages_oidc_the_session_not_a_posted_field_names_the_first_party() {
    let Some(setup) = booking_setup() else {
        return;
    };
    let app = &setup.app;
    let (alice, bob, carol) = (user("alice"), user("bob"), user("carol"));
    let mut b = Browser::new();
    let resp = page_sign_in(&mut b, &setup, "/", "bob").await;
    assert_eq!(where_to(&resp), "/");
    let slot = app.first_slot(OFFICE).await;
    // Carol's name and ID number posted as the first party: bob books, as himself.
    let fields = [
        ("action", "book"),
        ("office_id", OFFICE),
        ("slot_id", slot.as_str()),
        ("parties-0-id_number", carol.id_number.as_str()),
        ("parties-0-name", carol.name.as_str()),
        ("parties-0-hukou_division_code", "320508"),
        ("parties-1-id_number", alice.id_number.as_str()),
        ("parties-1-name", alice.name.as_str()),
        ("parties-1-hukou_division_code", "320508"),
        ("contact-emails-0", "bob.guard@example.cn"),
        ("contact-emails-1", "alice.guard@example.cn"),
    ];
    let resp = b.form(&app.url("/book"), &fields).await;
    assert_eq!(resp.status(), 303, "booked");
    assert_eq!(where_to(&resp), "/book/done");
    let mine = json(b.get(&app.url("/v1/citizen/appointments")).await).await;
    let list = mine["appointments"].as_array().unwrap();
    assert_eq!(list.len(), 1, "bob's booking: {mine}");
    assert_eq!(list[0]["my_party"], 0);
    assert_eq!(list[0]["parties"][0]["name"], bob.name);
    assert_eq!(list[0]["awaiting_my_confirmation"], false);
    // Carol, signed in, has no booking: nobody booked in her name.
    let mut c = signed_in(&setup, "carol").await;
    let hers = json(c.get(&app.url("/v1/citizen/appointments")).await).await;
    assert_eq!(hers["appointments"].as_array().unwrap().len(), 0, "{hers}");
    // Not signed in, the page's booking is refused beside the slot (401), nothing booked.
    let dave = user("dave");
    let mut fields = fields;
    fields[3] = ("parties-0-id_number", dave.id_number.as_str());
    fields[4] = ("parties-0-name", dave.name.as_str());
    fields[6] = ("parties-1-id_number", carol.id_number.as_str());
    fields[7] = ("parties-1-name", carol.name.as_str());
    let mut anon = Browser::new();
    anon.get(&app.url("/")).await;
    let resp = anon.form(&app.url("/book"), &fields).await;
    let status = resp.status();
    let html = resp.text().await.unwrap();
    assert_eq!(status, 401, "{html}");
    assert!(html.contains("book-sign-in"), "the page offers the sign-in");
}

#[tokio::test]
async fn pages_oidc_a_failed_page_sign_in_is_told_on_a_page_and_signs_nobody_in() {
    let Some(setup) = booking_setup() else {
        return;
    };
    let app = &setup.app;
    let mut b = Browser::new();
    b.get(&app.url("/")).await;
    let url = app.url("/sign-in");
    let resp = b.form(&url, &[("back", "/my")]).await;
    let next = location(&Url::parse(&url).unwrap(), &resp);
    let back = b.sign_in_from(next, &setup.callback, "bob").await;
    // The state changed on the way back: refused, told on a page, no session.
    let forged = crate::support::oidc::with_param(&back, "state", "forged");
    let resp = b.get(&forged).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(where_to(&resp), "/sign-in/failed");
    assert!(b.cookie(&app.url("/"), "hunyin_citizen").is_none());
    let me = b.get(&app.url("/v1/citizen/me")).await;
    assert_eq!(me.status(), 401, "nobody signed in");
    let page = b.get(&app.url("/sign-in/failed")).await;
    assert_eq!(page.status(), 400);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("登录没有完成") && html.contains("retry-sign-in"),
        "{html}"
    );
    // The same refusal for the API's sign-in stays a problem.
    let mut api = Browser::new();
    let back = api.sign_in_at_provider(app, &setup.callback, "bob").await;
    let resp = api
        .get(&crate::support::oidc::with_param(&back, "state", "forged"))
        .await;
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["code"], "sign_in_state_mismatch");
}

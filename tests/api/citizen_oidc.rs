//! Citizens sign in at a real OpenID Connect provider (issue 15): the whole walk, and each way
//! a sign-in is refused (state, missing cookie, replayed code, missing claim, provider down),
//! with no session opened.

use crate::support::lib::db::citizens;
use crate::support::oidc::{oidc_setup, oidc_setup_with, users, with_param, Browser};
use crate::support::{masked, problem, spawn_app};

fn sessions(app: &crate::support::TestApp) -> i64 {
    citizens::count_sessions(&mut app.connect()).expect("count sessions")
}

fn set_cookies(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_citizen_signs_in_sees_their_masked_identity_and_signs_out() {
    let Some(setup) = oidc_setup() else { return };
    let alice = &users()[0];
    let mut browser = Browser::new();
    let back = browser
        .sign_in_at_provider(&setup.app, &setup.callback, alice.login)
        .await;
    assert!(!back.contains(&alice.id_number), "no ID number in a URL");
    let resp = browser.get(&back).await;
    assert_eq!(resp.status(), 200);
    let cookies = set_cookies(&resp);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("hunyin_citizen="))
        .expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(session.contains(flag), "{flag} in {session}");
    }
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body = resp.text().await.unwrap();
    assert!(!body.contains(&alice.id_number), "{body}");
    let me: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(me["name"], alice.name.as_str());
    assert_eq!(me["id_number_masked"], masked(&alice.id_number));

    let resp = browser.get(&setup.app.url("/v1/citizen/me")).await;
    assert_eq!(resp.status(), 200);
    let me: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(me["id_number_masked"], masked(&alice.id_number));
    assert_eq!(sessions(&setup.app), 1);

    let resp = browser.post(&setup.app.url("/v1/citizen/sign-out")).await;
    assert_eq!(resp.status(), 200);
    let out: serde_json::Value = resp.json().await.unwrap();
    let end = out["end_session_url"]
        .as_str()
        .expect("the provider's end-session page");
    assert!(
        end.starts_with(&format!("{}/session/end?", setup.provider.issuer)),
        "{end}"
    );
    let resp = browser.get(&setup.app.url("/v1/citizen/me")).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(problem(resp).await["code"], "unauthenticated");
}

#[tokio::test]
async fn me_without_a_live_session_is_a_401_problem() {
    let app = spawn_app().await;
    for cookie in [
        None,
        Some("hunyin_citizen=abc123"),
        Some("hunyin_citizen=<script>"),
    ] {
        let mut req = app.client.get(app.url("/v1/citizen/me"));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 401);
        assert!(resp.headers().contains_key("www-authenticate"));
        assert_eq!(problem(resp).await["code"], "unauthenticated");
    }
}

#[tokio::test]
async fn sign_in_without_a_configured_provider_is_404() {
    let app = spawn_app().await;
    let resp = app.get("/v1/citizen/sign-in").await;
    assert_eq!(resp.status(), 404);
    assert_eq!(
        problem(resp).await["code"],
        "identity_provider_unconfigured"
    );
}

#[tokio::test]
async fn a_mismatched_state_is_refused_and_the_sign_in_is_used_up() {
    let Some(setup) = oidc_setup() else { return };
    let mut browser = Browser::new();
    let back = browser
        .sign_in_at_provider(&setup.app, &setup.callback, "alice")
        .await;
    let forged = with_param(&back, "state", "an-attackers-state");
    let resp = browser.get(&forged).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(problem(resp).await["code"], "sign_in_state_mismatch");
    // The genuine answer cannot be used after that either: the sign-in was single use.
    let resp = browser.get(&back).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(problem(resp).await["code"], "sign_in_unknown");
    assert_eq!(sessions(&setup.app), 0);
}

#[tokio::test]
async fn a_callback_from_another_browser_is_refused() {
    let Some(setup) = oidc_setup() else { return };
    let mut victim = Browser::new();
    let back = victim
        .sign_in_at_provider(&setup.app, &setup.callback, "alice")
        .await;
    // Login CSRF: someone else's browser is sent the callback; it holds no sign-in cookie.
    let resp = Browser::new().get(&back).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(problem(resp).await["code"], "sign_in_unknown");
    assert_eq!(sessions(&setup.app), 0);
}

#[tokio::test]
async fn a_replayed_code_is_refused_by_the_provider() {
    let Some(setup) = oidc_setup() else { return };
    let mut browser = Browser::new();
    let first = browser
        .sign_in_at_provider(&setup.app, &setup.callback, "alice")
        .await;
    assert_eq!(browser.get(&first).await.status(), 200);
    assert_eq!(sessions(&setup.app), 1);
    // A new sign-in in the same browser, answered with the code already exchanged.
    let second = browser
        .sign_in_at_provider(&setup.app, &setup.callback, "alice")
        .await;
    let old_code = reqwest::Url::parse(&first)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let replay = with_param(&second, "code", &old_code);
    let resp = browser.get(&replay).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(problem(resp).await["code"], "sign_in_code_rejected");
    assert_eq!(sessions(&setup.app), 1, "no second session");
}

#[tokio::test]
async fn a_provider_error_answer_is_sign_in_denied() {
    let Some(setup) = oidc_setup() else { return };
    let mut browser = Browser::new();
    // An unknown login makes the provider answer `error=access_denied` to the callback.
    let back = browser
        .sign_in_at_provider(&setup.app, &setup.callback, "mallory")
        .await;
    assert!(back.contains("error=access_denied"), "{back}");
    let resp = browser.get(&back).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(problem(resp).await["code"], "sign_in_denied");
    assert_eq!(sessions(&setup.app), 0);
}

#[tokio::test]
async fn an_id_token_without_the_name_claim_opens_no_session() {
    let Some(setup) = oidc_setup() else { return };
    let mut browser = Browser::new();
    let resp = browser.sign_in(&setup, "nameless").await;
    assert_eq!(resp.status(), 422);
    assert_eq!(problem(resp).await["code"], "identity_claims_missing");
    assert_eq!(sessions(&setup.app), 0);
}

#[tokio::test]
async fn the_claim_names_are_configurable() {
    let Some(setup) = oidc_setup_with("cn_name", "cn_id_card", |_| {}) else {
        return;
    };
    let bob = &users()[1];
    let resp = Browser::new().sign_in(&setup, bob.login).await;
    assert_eq!(resp.status(), 200);
    let me: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(me["name"], bob.name.as_str());
    assert_eq!(me["id_number_masked"], masked(&bob.id_number));
}

#[tokio::test]
async fn cookies_are_not_secure_only_when_configured_so() {
    let Some(setup) = oidc_setup_with("name", "id_number", |s| {
        s.identity.oidc.cookie_secure = false;
    }) else {
        return;
    };
    let resp = Browser::new().sign_in(&setup, "alice").await;
    assert_eq!(resp.status(), 200);
    let cookies = set_cookies(&resp);
    assert!(cookies.iter().all(|c| !c.contains("Secure")), "{cookies:?}");
}

#[tokio::test]
async fn a_provider_that_is_down_gets_503_and_no_session() {
    let Some(mut setup) = oidc_setup() else {
        return;
    };
    let mut browser = Browser::new();
    let back = browser
        .sign_in_at_provider(&setup.app, &setup.callback, "alice")
        .await;
    setup.provider.stop();
    let resp = browser.get(&back).await;
    assert_eq!(resp.status(), 503);
    assert_eq!(problem(resp).await["code"], "identity_provider_unavailable");
    assert_eq!(sessions(&setup.app), 0);
}

#[tokio::test]
async fn sign_in_while_the_provider_was_never_reached_is_503() {
    let Some(mut setup) = oidc_setup() else {
        return;
    };
    setup.provider.stop();
    let resp = Browser::new()
        .get(&setup.app.url("/v1/citizen/sign-in"))
        .await;
    assert_eq!(resp.status(), 503);
    assert_eq!(problem(resp).await["code"], "identity_provider_unavailable");
}

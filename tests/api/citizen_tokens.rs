//! The client validates ID tokens in full (issue 15): tokens crafted at the real provider, with
//! its key or with one it never published, go through the client's validation, and a rotated
//! provider key is fetched again.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::support::lib::AppContext;
use crate::support::oidc::{oidc_setup, users, Browser, OidcSetup, CLIENT_ID};

const NONCE: &str = "the-nonce-of-this-sign-in";

fn claims(setup: &OidcSetup) -> Value {
    let now = chrono::Utc::now().timestamp();
    let alice = &users()[0];
    json!({
        "iss": setup.provider.issuer,
        "aud": CLIENT_ID,
        "sub": "alice",
        "iat": now,
        "exp": now + 600,
        "nonce": NONCE,
        "name": alice.name,
        "id_number": alice.id_number,
    })
}

/// The client's verdict on `token`: the subject, or the problem's code.
async fn verdict(ctx: &Arc<AppContext>, token: String) -> Result<String, &'static str> {
    let ctx = ctx.clone();
    tokio::task::spawn_blocking(move || ctx.oidc.verify_id_token(&token, NONCE))
        .await
        .unwrap()
        .map(|identity| identity.subject)
        .map_err(|e| e.code)
}

#[tokio::test]
async fn id_tokens_that_fail_validation_get_stable_codes() {
    let Some(setup) = oidc_setup() else { return };
    let ctx = setup.app.context.clone().expect("in-process app");
    let p = &setup.provider;
    let good = claims(&setup);
    // The control: the same claims, well signed, pass.
    let token = p.sign(good.clone(), "provider").await;
    assert_eq!(verdict(&ctx, token).await, Ok("alice".into()));

    let now = chrono::Utc::now().timestamp();
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "id_token_expired",
            json!({"iat": now - 7200, "exp": now - 3600}),
            "provider",
        ),
        (
            "id_token_wrong_audience",
            json!({"aud": "another-client"}),
            "provider",
        ),
        (
            "id_token_wrong_issuer",
            json!({"iss": "http://127.0.0.1:9/"}),
            "provider",
        ),
        (
            "id_token_nonce_mismatch",
            json!({"nonce": "another-nonce"}),
            "provider",
        ),
        ("id_token_signature_invalid", json!({}), "other"),
    ];
    for (code, change, key) in cases {
        let mut c = good.clone();
        for (k, v) in change.as_object().unwrap() {
            c[k] = v.clone();
        }
        let token = p.sign(c, key).await;
        assert_eq!(verdict(&ctx, token).await, Err(code), "{code}");
    }
    // A token whose signature was cut off, or not a token at all.
    let token = p.sign(good.clone(), "provider").await;
    let unsigned = format!("{}.", token.rsplit_once('.').unwrap().0);
    assert_eq!(
        verdict(&ctx, unsigned).await,
        Err("id_token_signature_invalid")
    );
    assert_eq!(
        verdict(&ctx, "not-a-jwt".into()).await,
        Err("id_token_invalid")
    );
}

#[tokio::test]
async fn a_rotated_provider_key_is_fetched_again() {
    let Some(mut setup) = oidc_setup() else {
        return;
    };
    let resp = Browser::new().sign_in(&setup, "alice").await;
    assert_eq!(resp.status(), 200, "signed in with the first key");
    // The provider now signs with a key the client has not seen: the client fetches the keys
    // again instead of refusing the token.
    setup.provider.restart_with_key("key-2");
    let resp = Browser::new().sign_in(&setup, "bob").await;
    assert_eq!(resp.status(), 200, "signed in with the rotated key");
    let ctx = setup.app.context.clone().unwrap();
    let token = setup.provider.sign(claims(&setup), "provider").await;
    assert_eq!(verdict(&ctx, token).await, Ok("alice".into()));
}

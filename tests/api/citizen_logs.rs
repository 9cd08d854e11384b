//! The citizen sign-in logs no personal data: the real binary, logging at trace, signs citizens
//! in at the real provider and refuses the bad sign-ins; no full ID number reaches its log.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use crate::support::binary::{command, TempDir};
use crate::support::oidc::{
    provider_available, users, with_param, Browser, Provider, CLIENT_ID, CLIENT_SECRET,
};
use crate::support::proxy::free_port;
use crate::support::{masked, nth_person, TestApp, TestDb};

#[tokio::test]
async fn no_full_id_number_of_a_citizen_reaches_the_logs() {
    if !provider_available() {
        return;
    }
    let tmp = TempDir::new("oidc-pii");
    let dir = tmp.path();
    let db = Arc::new(TestDb::create());
    let log_path = dir.join("server.log");
    let port = free_port();
    let callback = format!("http://127.0.0.1:{port}/v1/citizen/callback");
    let mut provider = Provider::start(free_port(), &callback, "key-1", "name", "id_number");
    let port_text = port.to_string();
    let env = [
        ("APP__DATABASE__URL", db.url()),
        ("APP__SERVER__PORT", port_text.as_str()),
        ("APP__LOG__FORMAT", "json"),
        ("APP__IDENTITY__OIDC__ISSUER", provider.issuer.as_str()),
        ("APP__IDENTITY__OIDC__CLIENT_ID", CLIENT_ID),
        ("APP__IDENTITY__OIDC__CLIENT_SECRET", CLIENT_SECRET),
        ("APP__IDENTITY__OIDC__REDIRECT_URL", callback.as_str()),
        ("RUST_LOG", "trace"),
    ];
    let log_file = std::fs::File::create(&log_path).unwrap();
    let mut server = command(dir, &[], &env)
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .unwrap();
    let mut listening = false;
    for _ in 0..200 {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        listening = BufReader::new(text.as_bytes())
            .lines()
            .map_while(Result::ok)
            .any(|l| l.contains("\"listening\""));
        if listening {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(listening, "the server logged that it listens");
    let app = TestApp::attach(format!("http://127.0.0.1:{port}"), db.clone());

    // A sign-in, a forged state, a replayed code, a person without a name, the provider down.
    let mut browser = Browser::new();
    let first = browser.sign_in_at_provider(&app, &callback, "alice").await;
    assert_eq!(
        browser
            .get(&with_param(&first, "state", "forged"))
            .await
            .status(),
        400
    );
    let ok = browser.sign_in_at_provider(&app, &callback, "alice").await;
    assert_eq!(browser.get(&ok).await.status(), 200);
    assert_eq!(browser.get(&app.url("/v1/citizen/me")).await.status(), 200);
    let again = browser.sign_in_at_provider(&app, &callback, "alice").await;
    let code = reqwest::Url::parse(&ok)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert_eq!(
        browser
            .get(&with_param(&again, "code", &code))
            .await
            .status(),
        400
    );
    let mut other = Browser::new();
    let nameless = other.sign_in_at_provider(&app, &callback, "nameless").await;
    assert_eq!(other.get(&nameless).await.status(), 422);
    let mut late = Browser::new();
    let back = late.sign_in_at_provider(&app, &callback, "bob").await;
    provider.stop();
    assert_eq!(late.get(&back).await.status(), 503);

    let _ = server.kill();
    let _ = server.wait();
    let log = std::fs::read_to_string(&log_path).unwrap();
    let alice = &users()[0];
    assert!(
        log.contains(&masked(&alice.id_number)),
        "the sign-in was logged, masked"
    );
    for id in [
        alice.id_number.clone(),
        users()[1].id_number.clone(),
        nth_person(9_103, true),
    ] {
        assert!(!log.contains(&id), "a full ID number in the log");
    }
}

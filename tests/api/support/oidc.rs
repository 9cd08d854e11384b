//! A real OpenID Connect provider (`oidc-provider`, OpenID Certified, run by Node from
//! tests/oidc/provider.mjs) on loopback, an app configured to sign citizens in there, and a small
//! browser (cookies per origin, no automatic redirects) that walks the sign-in.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::Url;
use secrecy::SecretString;
use serde_json::{json, Value};

use super::app::{spawn_app_with, TestApp};
use super::fixtures::nth_person;
pub use super::oidc_users::{user, users, User};
use super::proxy::free_port;

pub const CLIENT_ID: &str = "hunyin-test";
pub const CLIENT_SECRET: &str = "a-test-client-secret-of-some-length-0123456789";

fn provider_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Whether the provider can run here (Node and `npm ci` in tests/oidc). When it cannot, the
/// test skips, unless REQUIRE_OIDC_TEST is set (as `.ci/run` does), which fails it.
pub fn provider_available() -> bool {
    let installed = provider_dir()
        .join("node_modules/oidc-provider/package.json")
        .is_file();
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !(installed && node) {
        assert!(
            std::env::var("REQUIRE_OIDC_TEST").is_err(),
            "REQUIRE_OIDC_TEST is set but the OpenID Connect provider cannot run (node, and `npm ci` in tests/oidc)"
        );
        eprintln!(
            "skipped: no OpenID Connect provider (install Node and run `npm ci` in tests/oidc)"
        );
    }
    installed && node
}

/// The provider process; killed and reaped on drop.
pub struct Provider {
    child: Option<Child>,
    pub issuer: String,
    config: Value,
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Provider {
    /// Starts the provider on `port` for a client that returns to `redirect_uri`, signing with a
    /// fresh key named `kid`; the claims are named `name_claim` and `id_number_claim`.
    pub fn start(
        port: u16,
        redirect_uri: &str,
        kid: &str,
        name_claim: &str,
        id_number_claim: &str,
    ) -> Provider {
        let mut accounts = serde_json::Map::new();
        for u in users() {
            accounts.insert(
                u.login.into(),
                json!({ name_claim: u.name, id_number_claim: u.id_number }),
            );
        }
        accounts.insert(
            "nameless".into(),
            json!({ id_number_claim: nth_person(9_103, true) }),
        );
        let config = json!({
            "port": port,
            "kid": kid,
            "nameClaim": name_claim,
            "idNumberClaim": id_number_claim,
            "clients": [{
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [redirect_uri],
            }],
            "users": accounts,
        });
        let mut p = Provider {
            child: None,
            issuer: format!("http://127.0.0.1:{port}"),
            config,
        };
        p.spawn();
        p
    }

    fn spawn(&mut self) {
        let mut child = Command::new("node")
            .arg(provider_dir().join("provider.mjs"))
            .arg(self.config.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node starts");
        let stdout = child.stdout.take().expect("provider stdout");
        self.child = Some(child);
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader.read_line(&mut line).expect("provider output");
        // Drained until the process ends, so that its later output never meets a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        assert!(
            line.starts_with("listening "),
            "the provider did not start: {line:?}"
        );
    }

    /// Stops the provider (a provider that is down).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Restarts it on the same port with a new signing key named `kid` (key rotation).
    pub fn restart_with_key(&mut self, kid: &str) {
        self.stop();
        self.config["kid"] = json!(kid);
        self.spawn();
    }

    /// A compact JWT of `claims`, signed with the provider's own key (`"provider"`) or with a
    /// key it never published (`"other"`), both named with its current key id.
    pub async fn sign(&self, claims: Value, key: &str) -> String {
        let resp = reqwest::Client::new()
            .post(format!("{}/test/sign", self.issuer))
            .json(&json!({ "claims": claims, "key": key }))
            .send()
            .await
            .expect("provider answers");
        let v: Value = resp.json().await.expect("signed token");
        v["token"].as_str().expect("token").to_owned()
    }
}

/// A provider and an app that signs citizens in at it.
pub struct OidcSetup {
    pub provider: Provider,
    pub app: TestApp,
    pub callback: String,
}

/// Starts a provider and an app configured for it (claims `name` and `id_number`); `None` when
/// the provider cannot run here (see [`provider_available`]).
pub fn oidc_setup() -> Option<OidcSetup> {
    oidc_setup_with("name", "id_number", |_| {})
}

/// As [`oidc_setup`], with the claim names and a last change of the settings.
pub fn oidc_setup_with(
    name_claim: &str,
    id_number_claim: &str,
    customize: impl FnOnce(&mut super::lib::Settings),
) -> Option<OidcSetup> {
    if !provider_available() {
        return None;
    }
    let app_port = free_port();
    let callback = format!("http://127.0.0.1:{app_port}/v1/citizen/callback");
    let provider = Provider::start(free_port(), &callback, "key-1", name_claim, id_number_claim);
    let issuer = provider.issuer.clone();
    let (name_claim, id_number_claim) = (name_claim.to_owned(), id_number_claim.to_owned());
    let redirect = callback.clone();
    let app = spawn_app_with(move |s| {
        s.server.port = app_port;
        let o = &mut s.identity.oidc;
        o.issuer = issuer;
        o.client_id = CLIENT_ID.into();
        o.client_secret = SecretString::from(CLIENT_SECRET.to_owned());
        o.redirect_url = redirect;
        o.name_claim = name_claim;
        o.id_number_claim = id_number_claim;
        customize(s);
    });
    Some(OidcSetup {
        provider,
        app,
        callback,
    })
}

/// A browser: cookies kept per origin (host and port), redirects followed by hand.
#[derive(Default)]
pub struct Browser {
    client: reqwest::Client,
    jar: HashMap<String, HashMap<String, String>>,
}

fn origin(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            jar: HashMap::new(),
        }
    }

    fn keep(&mut self, url: &Url, resp: &reqwest::Response) {
        let jar = self.jar.entry(origin(url)).or_default();
        for v in resp.headers().get_all(reqwest::header::SET_COOKIE) {
            let Some((name, value, removed)) = parse_set_cookie(v.to_str().unwrap_or("")) else {
                continue;
            };
            if removed {
                jar.remove(&name);
            } else {
                jar.insert(name, value);
            }
        }
    }

    /// Sends `req` to `url` with this browser's cookies for it, keeping the ones it sets.
    pub async fn send(&mut self, req: reqwest::RequestBuilder, url: &str) -> reqwest::Response {
        let parsed = Url::parse(url).expect("URL");
        let cookies: Vec<String> = self
            .jar
            .get(&origin(&parsed))
            .map(|j| j.iter().map(|(k, v)| format!("{k}={v}")).collect())
            .unwrap_or_default();
        let req = if cookies.is_empty() {
            req
        } else {
            req.header(reqwest::header::COOKIE, cookies.join("; "))
        };
        let resp = req.send().await.expect("request sent");
        self.keep(&parsed, &resp);
        resp
    }

    /// The cookie `name` this browser holds for `url`'s origin.
    pub fn cookie(&self, url: &str, name: &str) -> Option<String> {
        let parsed = Url::parse(url).expect("URL");
        self.jar.get(&origin(&parsed))?.get(name).cloned()
    }

    /// Posts the form `pairs` to `url` as a page of the same site would (the page's form token
    /// in the field and the cookie).
    pub async fn form(&mut self, url: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
        let token = self.cookie(url, "hunyin_csrf").unwrap_or_default();
        let mut form: Vec<(&str, &str)> = pairs.to_vec();
        form.push(("csrf", &token));
        let req = self
            .client
            .post(url)
            .header("sec-fetch-site", "same-origin")
            .form(&form);
        self.send(req, url).await
    }

    pub async fn get(&mut self, url: &str) -> reqwest::Response {
        let req = self.client.get(url);
        self.send(req, url).await
    }

    pub async fn post(&mut self, url: &str) -> reqwest::Response {
        let req = self.client.post(url);
        self.send(req, url).await
    }

    /// `method` to `url` with a JSON body, this browser's cookies and none of its own making.
    pub async fn json(
        &mut self,
        method: reqwest::Method,
        url: &str,
        body: &Value,
    ) -> reqwest::Response {
        let req = self.client.request(method, url).json(body);
        self.send(req, url).await
    }

    pub async fn delete(&mut self, url: &str) -> reqwest::Response {
        let req = self.client.delete(url);
        self.send(req, url).await
    }

    /// Starts a sign-in at `app`, signs in at the provider as `login`, and stops where the
    /// provider sends the browser back to `callback`: that URL (code and state in its query).
    pub async fn sign_in_at_provider(
        &mut self,
        app: &TestApp,
        callback: &str,
        login: &str,
    ) -> String {
        let resp = self.get(&app.url("/v1/citizen/sign-in")).await;
        assert_eq!(resp.status(), 302, "sign-in redirects to the provider");
        let next = location(&Url::parse(&app.url("/v1/citizen/sign-in")).unwrap(), &resp);
        self.sign_in_from(next, callback, login).await
    }

    /// From `next`, where a sign-in sent the browser, signs in at the provider as `login` and
    /// stops where the provider sends the browser back to `callback`: that URL.
    pub async fn sign_in_from(&mut self, mut next: Url, callback: &str, login: &str) -> String {
        for _ in 0..20 {
            if next.as_str().starts_with(callback) {
                return next.to_string();
            }
            let resp = self.get(next.as_str()).await;
            if resp.status().is_redirection() {
                next = location(&next, &resp);
                continue;
            }
            assert_eq!(resp.status(), 200, "provider page {next}");
            assert!(next.path().starts_with("/interaction/"), "at {next}");
            let action = next.join(&format!("{}/login", next.path())).unwrap();
            let req = self.client.post(action.as_str()).form(&[("login", login)]);
            let resp = self.send(req, action.as_str()).await;
            assert!(
                resp.status().is_redirection(),
                "login form answered {}",
                resp.status()
            );
            next = location(&action, &resp);
        }
        panic!("the provider never sent the browser back");
    }

    /// A whole sign-in as `login`: the callback's answer.
    pub async fn sign_in(&mut self, setup: &OidcSetup, login: &str) -> reqwest::Response {
        let back = self
            .sign_in_at_provider(&setup.app, &setup.callback, login)
            .await;
        self.get(&back).await
    }
}

/// A `Set-Cookie` header's name, value and whether it removes the cookie (an empty value, a
/// `Max-Age` of 0 or less, or an `Expires` in 1970). Only the attributes are read for removal:
/// a value that happens to hold "1970" is a value like any other.
pub fn parse_set_cookie(header: &str) -> Option<(String, String, bool)> {
    let mut parts = header.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
    let removed = value.is_empty()
        || parts.any(|attr| {
            let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            (k == "max-age" && v.parse::<i64>().is_ok_and(|n| n <= 0))
                || (k == "expires" && v.contains("1970"))
        });
    Some((name, value, removed))
}

pub fn location(base: &Url, resp: &reqwest::Response) -> Url {
    let l = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("a Location");
    base.join(l).expect("a URL")
}

/// `url` with its query parameter `name` set to `value`.
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut u = Url::parse(url).expect("URL");
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .filter(|(k, _)| k != name)
        .collect();
    {
        let mut q = u.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        q.append_pair(name, value);
    }
    u.to_string()
}

#[test]
fn a_cookie_value_holding_1970_is_kept() {
    let kept = parse_set_cookie("hunyin_sign_in=ab1970cd; Path=/v1/citizen; Max-Age=600; HttpOnly");
    assert_eq!(
        kept,
        Some(("hunyin_sign_in".into(), "ab1970cd".into(), false))
    );
    let gone = parse_set_cookie("hunyin_sign_in=; Path=/v1/citizen; Max-Age=0");
    assert!(gone.is_some_and(|g| g.2));
    let expired = parse_set_cookie("a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    assert!(expired.is_some_and(|g| g.2));
    let zero_first = parse_set_cookie("a=b; Max-Age=0600");
    assert!(zero_first.is_some_and(|g| !g.2));
}

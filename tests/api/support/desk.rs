//! The registrar's desk for the tests: a cookie-keeping HTTP client that posts forms with
//! their token ([`Desk`]), and for the browser walks a click that waits for the next page
//! ([`press`]) and the README's screenshots ([`keep`]).

use std::collections::HashMap;
use std::path::Path;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

use super::app::TestApp;
use super::browser::Browser;

/// A browser without a browser: its cookies, sent back on every request.
pub struct Desk<'a> {
    pub app: &'a TestApp,
    pub cookies: HashMap<String, String>,
}

/// An answer: status, headers, body.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

impl<'a> Desk<'a> {
    pub fn new(app: &'a TestApp) -> Desk<'a> {
        Desk {
            app,
            cookies: HashMap::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Answer {
        let resp = req
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request sent");
        let headers = resp.headers().clone();
        for v in headers.get_all(SET_COOKIE) {
            let parsed = super::oidc::parse_set_cookie(v.to_str().unwrap_or(""));
            let (k, val, removed) = parsed.expect("a Set-Cookie with a name");
            if removed {
                self.cookies.remove(&k);
            } else {
                self.cookies.insert(k, val);
            }
        }
        Answer {
            status: resp.status(),
            headers,
            body: resp.text().await.unwrap_or_default(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let req = self.app.client.get(self.app.url(path));
        self.send(req).await
    }

    /// Posts `fields` with the form token (fetching a page first when there is none yet).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        if !self.cookies.contains_key("hunyin_csrf") {
            self.get("/desk/sign-in").await;
        }
        let token = self.cookies["hunyin_csrf"].clone();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        let req = self.app.client.post(self.app.url(path)).form(&all);
        self.send(req).await
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> Answer {
        self.post(
            "/desk/sign-in",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// A new account of `office` with `role`, signed in at the desk: its username.
    pub async fn staff(&mut self, office: &str, role: &str) -> String {
        let username = format!("{role}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        self.app
            .add_staff(office, role, &username, "desk-password-1");
        let a = self.sign_in(&username, "desk-password-1").await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let start = if role == "auditor" {
            "/desk/audit"
        } else {
            "/desk/queue"
        };
        assert_eq!(a.location(), start);
        username
    }
}

/// Clicks `css` (a button or link that loads a page) and waits until the old page is gone,
/// so that what follows reads the new one.
pub async fn press(b: &mut Browser, css: &str) {
    let old = match b.client.find(fantoccini::Locator::Css("html")).await {
        Ok(el) => el,
        Err(_) => b.fail("no page to leave").await,
    };
    b.click(css).await;
    for _ in 0..400 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    b.fail(&format!("clicking {css} loaded no new page")).await;
}

/// Keeps a step's screenshot for the README when UPDATE_SCREENSHOTS is set.
pub async fn keep(b: &mut Browser, label: &str) {
    let shot = b.snap(label).await;
    if b.javascript && std::env::var("UPDATE_SCREENSHOTS").is_ok() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&shot, dir.join(format!("desk-{label}.png"))).unwrap();
    }
}

/// Sends `keys` to the focused element (no mouse), as a keyboard user would.
pub async fn keys(b: &mut Browser, keys: &str) {
    match b.client.active_element().await {
        Ok(el) => el.send_keys(keys).await.expect("keys sent"),
        Err(_) => b.fail("nothing has the focus").await,
    }
}

/// The id of the focused element.
pub async fn focused(b: &mut Browser) -> String {
    match b.client.active_element().await {
        Ok(el) => el.attr("id").await.ok().flatten().unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Sends `k` (Enter, say) to the focused element and waits until the old page is gone.
pub async fn keys_to_next_page(b: &mut Browser, k: &str) {
    let old = match b.client.find(fantoccini::Locator::Css("html")).await {
        Ok(el) => el,
        Err(_) => b.fail("no page to leave").await,
    };
    keys(b, k).await;
    for _ in 0..400 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    b.fail("the keys loaded no new page").await;
}

/// The app through a new HTTP client with no pooled connection: an API call after a long
/// browser step never reuses a kept-alive connection the server is closing just then.
pub fn api(app: &TestApp) -> TestApp {
    TestApp::attach(app.address.clone(), app.db.clone())
}

//! The registrar's desk over plain HTTP: the session cookie and its limits, sign-in throttling,
//! a disabled account stopping at once, the 403 pages of another office and of a role, the
//! walk-in's errors beside their fields, and one certificate for a registration form sent twice.

use std::collections::HashMap;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    add_residents, audit_count, certificate_count, nth_couple, nth_person, spawn_app, Counter,
    TestApp,
};

/// A browser without a browser: its cookies, sent back on every request.
struct Desk<'a> {
    app: &'a TestApp,
    cookies: HashMap<String, String>,
}

/// An answer: status, headers, body.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

impl<'a> Desk<'a> {
    fn new(app: &'a TestApp) -> Desk<'a> {
        Desk {
            app,
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Answer {
        let resp = req
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request sent");
        let headers = resp.headers().clone();
        for v in headers.get_all(SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            if val.is_empty() || v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
        Answer {
            status: resp.status(),
            headers,
            body: resp.text().await.unwrap_or_default(),
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        let req = self.app.client.get(self.app.url(path));
        self.send(req).await
    }

    /// Posts `fields` with the form token (fetching a page first when there is none yet).
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        if !self.cookies.contains_key("hunyin_csrf") {
            self.get("/desk/sign-in").await;
        }
        let token = self.cookies["hunyin_csrf"].clone();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        let req = self.app.client.post(self.app.url(path)).form(&all);
        self.send(req).await
    }

    async fn sign_in(&mut self, username: &str, password: &str) -> Answer {
        self.post(
            "/desk/sign-in",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// A new account of `office` with `role`, signed in at the desk: its username.
    async fn staff(&mut self, office: &str, role: &str) -> String {
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

#[tokio::test]
async fn desk_pages_send_to_sign_in_without_a_session() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    for path in [
        "/desk/queue",
        "/desk/walk-in",
        "/desk/applications/AP-7K3M9Q",
        "/desk/applications/AP-7K3M9Q/certificate",
        "/desk/applications/AP-7K3M9Q/refusal-notice",
        "/desk/staff",
    ] {
        let a = desk.get(path).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(a.location(), "/desk/sign-in", "{path}");
    }
    // A made-up cookie is no session either.
    desk.cookies.insert("hunyin_desk".into(), "0".repeat(64));
    let a = desk.get("/desk/queue").await;
    assert_eq!(a.location(), "/desk/sign-in");
    let a = desk.post("/desk/walk-in", &[("name0", "王强")]).await;
    assert_eq!(a.location(), "/desk/sign-in");
}

#[tokio::test]
async fn desk_sign_in_sets_a_strict_http_only_cookie_for_the_desk_only() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    app.add_staff("sz-gusu", "registrar", "desk.li", "desk-password-1");
    // Wrong password: one message beside the password, the username kept, no session.
    let a = desk.sign_in("desk.li", "wrong-password").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.contains("id=\"password-error\"") && a.body.contains("用户名或密码错误"));
    assert!(a.body.contains("value=\"desk.li\""));
    assert!(a.set_cookie("hunyin_desk").is_none());
    // Without the form token nothing is read.
    let req = app
        .client
        .post(app.url("/desk/sign-in"))
        .form(&[("username", "desk.li"), ("password", "desk-password-1")]);
    let a = desk.send(req).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.set_cookie("hunyin_desk").is_none());

    let a = desk.sign_in("desk.li", "desk-password-1").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let cookie = a.set_cookie("hunyin_desk").expect("a session cookie");
    for part in [
        "Path=/desk;",
        "HttpOnly",
        "SameSite=Strict",
        "Max-Age=43200",
    ] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let token = cookie.split(';').next().unwrap()["hunyin_desk=".len()..].to_owned();
    // The cookie is the API's session: its token works as a bearer token too.
    let me = app.get_authed("/v1/registrar/me", &token).await;
    assert_eq!(me.status(), 200);

    let q = desk.get("/desk/queue").await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q.body.contains("今日队列"));
    assert_eq!(q.headers["cache-control"], "no-store");

    // Signing out ends the session itself, not only the cookie.
    let out = desk.post("/desk/sign-out", &[]).await;
    assert_eq!(out.location(), "/desk/sign-in?done=signed-out");
    assert!(out.set_cookie("hunyin_desk").unwrap().contains("Max-Age=0"));
    let me = app.get_authed("/v1/registrar/me", &token).await;
    assert_eq!(me.status(), 401);
    desk.cookies.insert("hunyin_desk".into(), token);
    assert_eq!(desk.get("/desk/queue").await.location(), "/desk/sign-in");
}

#[tokio::test]
async fn desk_sign_in_is_throttled_like_the_api() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    app.add_staff("sz-gusu", "registrar", "desk.wang", "desk-password-1");
    for _ in 0..5 {
        let a = desk.sign_in("desk.wang", "wrong-password").await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    // The right password now waits too.
    let a = desk.sign_in("desk.wang", "desk-password-1").await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(a.body.contains("error-summary"));
    assert!(a.set_cookie("hunyin_desk").is_none());
}

#[tokio::test]
async fn desk_a_disabled_account_stops_at_once() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    let username = desk.staff("sz-gusu", "registrar").await;
    assert_eq!(desk.get("/desk/queue").await.status, StatusCode::OK);
    let supervisor = app.supervisor("sz-gusu").await;
    let list: Value = app
        .get_authed("/v1/registrar/offices/sz-gusu/staff", &supervisor)
        .await
        .json()
        .await
        .unwrap();
    let id = list["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["username"] == username.as_str())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/v1/registrar/staff/{id}/disable");
    let resp = app.post_authed(&path, &supervisor, &Value::Null).await;
    assert_eq!(resp.status(), 200);
    let a = desk.get("/desk/queue").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location(), "/desk/sign-in");
    let again = desk.sign_in(&username, "desk-password-1").await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn desk_another_office_and_a_supervisor_page_are_403_pages() {
    let app = spawn_app().await;
    let elsewhere = Counter::open(&app, "nj-xuanwu").await;
    let reference = elsewhere.walk_in(nth_couple(41)).await;
    let mut desk = Desk::new(&app);
    desk.staff("sz-gusu", "registrar").await;
    let reads = audit_count(&app, "application.read");
    let a = desk.get(&format!("/desk/applications/{reference}")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(a.body.contains("panel bad") && !a.body.contains(&nth_person(41, true)));
    assert_eq!(
        audit_count(&app, "application.read"),
        reads,
        "nothing was read"
    );
    let s = desk.get("/desk/staff").await;
    assert_eq!(s.status, StatusCode::FORBIDDEN);
    assert!(s.body.contains("panel bad"));
    let p = desk
        .post(
            "/desk/staff",
            &[
                ("username", "x.y"),
                ("display_name", "某"),
                ("role", "registrar"),
                ("password", "long-enough-1"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn desk_walk_in_errors_stay_beside_their_fields_and_write_nothing() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    desk.staff("sz-gusu", "registrar").await;
    let walk_ins = audit_count(&app, "application.walk_in");
    let woman = nth_person(42, false);
    let a = desk
        .post(
            "/desk/walk-in",
            &[
                ("name0", "王强"),
                ("id0", "320508199001010000"),
                ("hukou0", "320508"),
                ("name1", "李娜"),
                ("id1", &woman),
                ("hukou1", "32050"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert!(a.body.contains("id=\"parties-0-id_number-error\""));
    assert!(a
        .body
        .contains("id=\"parties-1-hukou_division_code-error\""));
    assert!(a.body.contains("href=\"#parties-0-id_number\""));
    assert!(!a.body.contains("id=\"parties-1-name-error\""));
    // Everything typed is still there.
    for v in [
        "王强",
        "320508199001010000",
        "李娜",
        woman.as_str(),
        "32050",
    ] {
        assert!(a.body.contains(&format!("value=\"{v}\"")), "{v} was lost");
    }
    assert_eq!(audit_count(&app, "application.walk_in"), walk_ins);
}

#[tokio::test]
async fn desk_a_registration_form_sent_twice_issues_one_certificate() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    desk.staff("sz-gusu", "registrar").await;
    add_residents(
        &app,
        &[
            (&nth_person(43, true), "王强", "unmarried"),
            (&nth_person(43, false), "李娜", "unmarried"),
        ],
    );
    let (man, woman) = (nth_person(43, true), nth_person(43, false));
    let a = desk
        .post(
            "/desk/walk-in",
            &[
                ("name0", "王强"),
                ("id0", &man),
                ("hukou0", "320508"),
                ("name1", "李娜"),
                ("id1", &woman),
                ("hukou1", "320508"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let screen = a.location().split('?').next().unwrap().to_owned();
    assert!(screen.starts_with("/desk/applications/AP-"), "{screen}");
    // Registering before the checks: the reason beside the form, no number.
    let early = desk
        .post(
            &format!("{screen}/registration"),
            &[
                ("both_parties_present", "true"),
                ("idempotency_key", "k-early"),
            ],
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(early.body.contains("id=\"register-present-error\""));
    assert_eq!(certificate_count(&app), 0);
    for step in ["checks", "declaration-0", "declaration-1"] {
        let fields: &[(&str, &str)] = if step == "checks" {
            &[]
        } else {
            &[
                ("no_spouse", "true"),
                ("no_prohibited_kinship", "true"),
                ("voluntary", "true"),
            ]
        };
        let a = desk.post(&format!("{screen}/{step}"), fields).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{step}: {}", a.body);
    }
    let form = [
        ("both_parties_present", "true"),
        ("idempotency_key", "k-desk-1"),
    ];
    for _ in 0..2 {
        let a = desk.post(&format!("{screen}/registration"), &form).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        assert!(a.location().contains("done=registration"));
    }
    assert_eq!(certificate_count(&app), 1);
    let page = desk.get(&screen).await;
    assert!(page.body.contains("certificate-number"));
    // The screen with its stylesheets and script stays under 100 KB.
    let mut weight = page.body.len();
    for part in page.body.split("/assets/").skip(1) {
        let name = part.split('"').next().unwrap();
        let asset = app
            .client
            .get(app.url(&format!("/assets/{name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(asset.status(), 200, "{name}");
        weight += asset.bytes().await.unwrap().len();
    }
    assert!(
        weight < 100 * 1024,
        "the application screen weighs {weight} bytes"
    );
    let print = desk.get(&format!("{screen}/certificate")).await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(print.body.contains(&man) && print.body.contains("苏州市姑苏区"));
    assert_eq!(audit_count(&app, "certificate.printed"), 1);
}

#[tokio::test]
async fn desk_each_role_sees_only_its_own_pages() {
    let app = spawn_app().await;
    let mut registrar = Desk::new(&app);
    registrar.staff("sz-gusu", "registrar").await;
    for path in [
        "/desk/audit",
        "/desk/statistics",
        "/desk/statistics.csv",
        "/desk/statistics/chart.svg",
        "/desk/schedule",
        "/desk/staff",
    ] {
        let a = registrar.get(path).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "a registrar at {path}");
        assert!(a.body.contains("panel bad"), "{path}: a page, not a dump");
    }
    let week = registrar
        .post(
            "/desk/schedule",
            &[
                ("mon", "on"),
                ("period0", "09:00-10:00"),
                ("slot_minutes", "30"),
                ("capacity", "1"),
            ],
        )
        .await;
    assert_eq!(week.status, StatusCode::FORBIDDEN);
    let mut auditor = Desk::new(&app);
    auditor.staff("sz-gusu", "auditor").await;
    for path in ["/desk/queue", "/desk/walk-in", "/desk/schedule"] {
        let a = auditor.get(path).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "an auditor at {path}");
    }
    assert_eq!(auditor.get("/desk/audit").await.status, StatusCode::OK);
    assert_eq!(auditor.get("/desk").await.location(), "/desk/audit");
    // A supervisor of another office cannot touch this office's accounts.
    let mut boss = Desk::new(&app);
    boss.staff("nj-xuanwu", "supervisor").await;
    let supervisor = app.supervisor("sz-gusu").await;
    let list: Value = app
        .get_authed("/v1/registrar/offices/sz-gusu/staff", &supervisor)
        .await
        .json()
        .await
        .unwrap();
    let id = list["staff"][0]["id"].as_i64().unwrap();
    for change in ["disable", "enable"] {
        let a = boss.post(&format!("/desk/staff/{id}/{change}"), &[]).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{change}");
    }
    let id = id.to_string();
    let reset = boss
        .post(
            "/desk/staff/password",
            &[("account", id.as_str()), ("password", "another-password-1")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::FORBIDDEN);
    assert_eq!(audit_count(&app, "staff.password_reset"), 0);
    assert_eq!(audit_count(&app, "staff.enabled"), 0);
}

#[tokio::test]
async fn desk_audit_search_pages_by_id_and_keeps_the_id_number_out_of_urls() {
    let app = spawn_app().await;
    let counter = Counter::open(&app, "sz-gusu").await;
    counter.registered(44).await;
    let mut auditor = Desk::new(&app);
    auditor.staff("sz-gusu", "auditor").await;
    let woman = nth_person(44, false);
    let a = auditor
        .post("/desk/audit", &[("id_number", woman.as_str())])
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("registration.registered"));
    assert!(!a.body.contains("id=\"next-page\""), "one page only");
    // A bad date is an error beside its field, the rest kept.
    let bad = auditor
        .post(
            "/desk/audit",
            &[("id_number", woman.as_str()), ("from", "2026-13-01")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("id=\"from-error\"") && bad.body.contains(&format!("value=\"{woman}\""))
    );
    // Paging: before the oldest event there is nothing.
    let all = auditor.post("/desk/audit", &[("before_id", "1")]).await;
    assert!(all.body.contains("没有符合条件的记录"));
    assert!(!all.body.contains(&format!("?{woman}")) && !all.body.contains(&format!("={woman}")));
}

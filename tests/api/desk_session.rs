//! The registrar's desk over plain HTTP: the session cookie and its limits, sign-in throttling,
//! a disabled account stopping at once, the walk-in's errors beside their fields, and one
//! certificate for a registration form sent twice.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::desk::Desk;
use crate::support::{add_residents, audit_count, certificate_count, nth_person, spawn_app};

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
    // Behind a proxy that terminates https, the cookie is Secure.
    let mut proxied = Desk::new(&app);
    proxied.get("/desk/sign-in").await;
    let token_field = proxied.cookies["hunyin_csrf"].clone();
    let req = app
        .client
        .post(app.url("/desk/sign-in"))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("csrf", token_field.as_str()),
            ("username", "desk.li"),
            ("password", "desk-password-1"),
        ]);
    let over_https = proxied.send(req).await;
    let secure = over_https
        .set_cookie("hunyin_desk")
        .expect("a session cookie");
    assert!(secure.contains("; Secure"), "{secure}");
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
async fn desk_a_walk_in_with_a_bad_email_keeps_the_form_and_writes_nothing() {
    let app = spawn_app().await;
    let mut desk = Desk::new(&app);
    desk.staff("sz-gusu", "registrar").await;
    let walk_ins = audit_count(&app, "application.walk_in");
    let (man, woman) = (nth_person(43, true), nth_person(43, false));
    let long = format!("{}@example.com", "a".repeat(300));
    for bad in ["x\"@example.com", "not-an-address", long.as_str()] {
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
                    ("email", bad),
                ],
            )
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.body);
        assert!(a.body.contains("id=\"contact-email-error\""), "{}", a.body);
        assert!(a.body.contains("value=\"王强\""), "the names stay");
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

/// With `server.cookie_secure` (production behind a TLS proxy) every page cookie is Secure,
/// even when the proxy does not say the request came over https.
#[tokio::test]
async fn desk_cookies_are_secure_when_configured() {
    let app = crate::support::spawn_app_with(|s| s.server.cookie_secure = true);
    let mut desk = Desk::new(&app);
    app.add_staff("sz-gusu", "registrar", "desk.secure", "desk-password-1");
    let a = desk.get("/desk/sign-in").await;
    let token = a.set_cookie("hunyin_csrf").expect("a form token cookie");
    assert!(token.contains("; Secure"), "{token}");
    let a = desk.sign_in("desk.secure", "desk-password-1").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let session = a.set_cookie("hunyin_desk").expect("a session cookie");
    assert!(session.contains("; Secure"), "{session}");
    let lang = app
        .client
        .get(app.url("/language/en?back=/"))
        .send()
        .await
        .unwrap();
    let set = lang.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.contains("; Secure"), "{set}");
}

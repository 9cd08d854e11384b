//! The partner protocol between real instances on loopback: a 江苏 instance (SQLite) and a 河南
//! instance (PostgreSQL when the suite runs on it, else a second SQLite), each with its own
//! database, key and directory; the refusals of bad signatures; an unreachable partner; and
//! interoperability with an independent RFC 9421 implementation (Python).

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use ed25519_dalek::SigningKey;
use hunyin::configuration::{PeerSettings, Settings};
use hunyin::partner::httpsig::{self, Message, RequestParts, ResponseParts, SignSpec};
use hunyin::partner::{client, keys, Partners};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    add_resident, id_number, masked, party, problem, slot_today, spawn_app_on, test_settings,
    TestApp, TestDb,
};

const JS_OFFICE: &str = "sz-gusu";
const HA_OFFICE: &str = "zz-jinshui";
const ALL_OPS: [&str; 3] = [
    "household_verification",
    "notification",
    "registration_status",
];

/// A private key in a file, removed with the value.
pub(crate) struct KeyFile {
    pub path: std::path::PathBuf,
    pub key: SigningKey,
}

impl KeyFile {
    pub(crate) fn new() -> KeyFile {
        let key = keys::generate().unwrap();
        let path =
            std::env::temp_dir().join(format!("hunyin-key-{}.pem", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, keys::private_to_pem(&key)).unwrap();
        KeyFile { path, key }
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn peer(
    name: &str,
    prefixes: &[&str],
    base_url: &str,
    key_id: &str,
    key: &SigningKey,
    ops: &[&str],
) -> PeerSettings {
    PeerSettings {
        name: name.into(),
        prefixes: prefixes.iter().map(|s| s.to_string()).collect(),
        base_url: base_url.into(),
        key_id: key_id.into(),
        public_key: keys::public_to_text(&key.verifying_key()),
        operations: ops.iter().map(|s| s.to_string()).collect(),
    }
}

pub(crate) fn configure(
    s: &mut Settings,
    region: &str,
    key_id: &str,
    key: &KeyFile,
    peers: Vec<PeerSettings>,
) {
    s.instance.region_prefix = region.into();
    s.partner.key_id = key_id.into();
    s.partner.private_key_file = key.path.display().to_string();
    s.partner.peers = peers;
    s.partner.timeout_ms = 3000;
    s.partner.retry_backoff_ms = 50;
    s.outbox.retry_base_secs = 1;
}

pub(crate) fn marital_status(app: &TestApp, id: &str) -> String {
    use hunyin::schema::household_records::dsl;
    dsl::household_records
        .find(id)
        .select(dsl::marital_status)
        .first(&mut app.connect())
        .unwrap()
}

pub(crate) fn audit_details(app: &TestApp, action: &str) -> Vec<Value> {
    use hunyin::schema::audit_events::dsl;
    let rows: Vec<String> = dsl::audit_events
        .filter(dsl::action.eq(action))
        .order(dsl::id)
        .select(dsl::details)
        .load(&mut app.connect())
        .unwrap();
    rows.iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

pub(crate) async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.authed(Method::POST, path, token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A walk-in at `office`; its reference.
pub(crate) async fn walk_in(app: &TestApp, token: &str, office: &str, parties: Value) -> String {
    let path = format!("/v1/registrar/offices/{office}/walk-ins");
    let resp = post(app, token, &path, json!({ "parties": parties })).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    v["reference"].as_str().unwrap().to_owned()
}

/// Runs an application's household checks; the summary.
pub(crate) async fn run_checks(app: &TestApp, token: &str, r: &str) -> Value {
    let path = format!("/v1/registrar/applications/{r}/household-checks");
    let resp = post(app, token, &path, json!({})).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// Both declarations, then the registration request.
pub(crate) async fn declare_and_register(app: &TestApp, token: &str, r: &str) -> reqwest::Response {
    for p in 0..2 {
        let body = json!({"party": p, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": true});
        let path = format!("/v1/registrar/applications/{r}/declarations");
        assert_eq!(post(app, token, &path, body).await.status(), 201);
    }
    let path = format!("/v1/registrar/applications/{r}/registration");
    post(app, token, &path, json!({"both_parties_present": true})).await
}

/// Waits (polling, up to 20 s) until `f` holds.
async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..200 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Two regions that know each other.
struct Federation {
    js: TestApp,
    ha: TestApp,
    js_key: KeyFile,
    ha_key: KeyFile,
    js_port: u16,
}

impl Federation {
    fn start() -> Federation {
        let (js_key, ha_key) = (KeyFile::new(), KeyFile::new());
        let js_port = free_port();
        let ha_db = Arc::new(TestDb::create());
        let js_db = Arc::new(TestDb::create_sqlite());
        let ha = spawn_app_on(ha_db.clone(), ha_db.url(), |s| {
            let js = peer(
                "jiangsu",
                &["32"],
                &format!("http://127.0.0.1:{js_port}"),
                "jiangsu-test",
                &js_key.key,
                &ALL_OPS,
            );
            configure(s, "41", "henan-test", &ha_key, vec![js]);
        });
        let js = spawn_app_on(js_db.clone(), js_db.url(), |s| {
            s.server.port = js_port;
            let ha_peer = peer(
                "henan",
                &["41"],
                &ha.address,
                "henan-test",
                &ha_key.key,
                &ALL_OPS,
            );
            configure(s, "32", "jiangsu-test", &js_key, vec![ha_peer]);
        });
        Federation {
            js,
            ha,
            js_key,
            ha_key,
            js_port,
        }
    }

    /// The 河南 instance's partner settings, as a client of 江苏.
    fn henan_partners(&self) -> Partners {
        let mut s = test_settings(self.ha.db.url());
        let js = peer(
            "jiangsu",
            &["32"],
            &format!("http://127.0.0.1:{}", self.js_port),
            "jiangsu-test",
            &self.js_key.key,
            &ALL_OPS,
        );
        configure(&mut s, "41", "henan-test", &self.ha_key, vec![js]);
        Partners::from_settings(&s.partner, &s.instance).unwrap()
    }

    fn jiangsu_partners(&self) -> Partners {
        let mut s = test_settings(self.js.db.url());
        let ha = peer(
            "henan",
            &["41"],
            &self.ha.address,
            "henan-test",
            &self.ha_key.key,
            &ALL_OPS,
        );
        configure(&mut s, "32", "jiangsu-test", &self.js_key, vec![ha]);
        Partners::from_settings(&s.partner, &s.instance).unwrap()
    }
}

/// A signed call from one instance's identity, on a blocking thread.
async fn call_as(
    partners: Partners,
    peer: &str,
    method: &'static str,
    path: String,
    body: Option<Value>,
) -> Result<(u16, Value), client::CallError> {
    let peer = peer.to_owned();
    tokio::task::spawn_blocking(move || {
        let agent = client::agent(Duration::from_secs(2), Duration::from_secs(5));
        let p = partners.directory.by_name(&peer).unwrap().clone();
        client::call(&partners, &agent, &p, method, &path, body.as_ref())
            .map(|(s, b)| (s, serde_json::from_slice(&b).unwrap()))
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn two_regions_verify_register_notify_and_answer_status_queries() {
    let f = Federation::start();
    let (js, ha) = (&f.js, &f.ha);
    let man = id_number("320508", "19950312", true);
    let woman = id_number("410105", "19960101", false);
    let henan_man = id_number("410105", "19940505", true);
    add_resident(js, &man, "王强", "320508", "unmarried");
    add_resident(ha, &woman, "李娜", "410105", "unmarried");
    add_resident(ha, &henan_man, "张伟", "410105", "unmarried");

    // A 河南 resident and a 江苏 resident book at a 江苏 office, for today.
    let slot = js.slots(JS_OFFICE).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = js
        .book(
            JS_OFFICE,
            &slot,
            json!([
                party(&man, "王强", "320508", None),
                party(&woman, "李娜", "410105", None)
            ]),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let reference = resp.json::<Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    slot_today(js, &slot);
    let token = js.registrar(JS_OFFICE).await;
    let app_path = |what: &str| format!("/v1/registrar/applications/{reference}/{what}");
    let resp = js
        .authed(Method::POST, &app_path("check-in"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // The 河南 party's check is answered by the 河南 instance.
    let v = run_checks(js, &token, &reference).await;
    assert_eq!(v["cleared"], true, "{v}");
    assert_eq!(v["checks"][0]["source"], "local_register");
    assert_eq!(v["checks"][1]["source"], "partner");
    assert_eq!(v["checks"][1]["marital_status"], "unmarried");
    assert_eq!(v["checks"][1]["hukou_division_code"], "410105");
    let received = audit_details(ha, "partner.household_verification.received");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["partner"], "jiangsu");
    assert_eq!(received[0]["key_id"], "jiangsu-test");
    assert_eq!(received[0]["purpose"], "marriage_registration");
    assert_eq!(
        received[0]["case"]["application_reference"],
        reference.as_str()
    );
    assert_eq!(received[0]["case"]["office_id"], JS_OFFICE);
    let sent = audit_details(js, "household.checked");
    assert_eq!(sent[1]["partner"], "henan");
    assert_eq!(sent[1]["person"], masked(&woman));

    // Declarations, then registration.
    let resp = declare_and_register(js, &token, &reference).await;
    assert_eq!(resp.status(), 201);
    let number = resp.json::<Value>().await.unwrap()["certificate_number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(marital_status(js, &man), "married");

    // 河南 receives the notification, acknowledges it, and marks its resident married.
    eventually("the notification to 河南", || {
        marital_status(ha, &woman) == "married"
    })
    .await;
    let got = audit_details(ha, "partner.notification.received");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["type"], "marriage_registered");
    assert_eq!(got[0]["applied"], 1);
    assert_eq!(
        got[0]["parties"].as_array().unwrap().len(),
        1,
        "only 河南's party is sent to 河南"
    );
    eventually("the acknowledged delivery", || {
        audit_details(js, "partner.notification.sent").len() == 1
    })
    .await;

    // The same 河南 resident's later application in 河南 is blocked as married.
    let ha_token = ha.registrar(HA_OFFICE).await;
    let parties = json!([
        party(&henan_man, "张伟", "410105", None),
        party(&woman, "李娜", "410105", None)
    ]);
    let later = walk_in(ha, &ha_token, HA_OFFICE, parties).await;
    let v = run_checks(ha, &ha_token, &later).await;
    assert_eq!(v["checks"][1]["outcome"], "failed");
    assert_eq!(v["checks"][1]["reason"], "married");
    let resp = post(
        ha,
        &ha_token,
        &format!("/v1/registrar/applications/{later}/registration"),
        json!({"both_parties_present": true}),
    )
    .await;
    assert_eq!(problem(resp).await["code"], "checks_incomplete");

    // 河南 asks 江苏 about the registration: valid, parties masked; the answer is signed.
    let path = format!("/v1/partner/registrations/{number}");
    let (status, v) = call_as(f.henan_partners(), "jiangsu", "GET", path.clone(), None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(v["status"], "valid");
    assert_eq!(v["office"]["id"], JS_OFFICE);
    assert_eq!(v["parties"][1]["id_number_masked"], masked(&woman));
    assert!(
        !v.to_string().contains(&woman),
        "no full ID number in a status answer"
    );
    assert_eq!(
        audit_details(js, "partner.registration_status.received").len(),
        1
    );

    // A repeated delivery of the same event is acknowledged and changes nothing.
    let payload: String = {
        use hunyin::schema::outbox::dsl;
        dsl::outbox
            .filter(dsl::kind.eq("partner_notification"))
            .select(dsl::payload)
            .first(&mut js.connect())
            .unwrap()
    };
    let partners = f.jiangsu_partners();
    let js_db = js.db.clone();
    tokio::task::spawn_blocking(move || {
        let agent = client::agent(Duration::from_secs(2), Duration::from_secs(5));
        let mut conn = hunyin::db::Manager::new(&test_settings(js_db.url()).database)
            .open()
            .unwrap();
        hunyin::partner::notifications::deliver(&mut conn, &partners, &agent, &payload)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(audit_details(ha, "partner.notification.received").len(), 1);
    let stored: i64 = hunyin::schema::partner_notifications::table
        .count()
        .get_result(&mut ha.connect())
        .unwrap();
    assert_eq!(stored, 1);

    // Revocation at 江苏 gives the 河南 resident her previous status back.
    js.add_staff(JS_OFFICE, "supervisor", "js-super", "supervisor-password");
    let sup = js.sign_in("js-super", "supervisor-password").await;
    let resp = post(
        js,
        &sup,
        &format!("/v1/registrar/certificates/{number}/revocation"),
        json!({"basis": "court_judgment", "document_reference": "(2026)苏0508民初1号"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    eventually("the revocation notice to 河南", || {
        marital_status(ha, &woman) == "unmarried"
    })
    .await;
    let (_, v) = call_as(f.henan_partners(), "jiangsu", "GET", path, None)
        .await
        .unwrap();
    assert_eq!(v["status"], "revoked");
}

/// Builds a partner request by hand, so that each part can be spoiled.
pub(crate) struct Forged {
    pub method: &'static str,
    pub path: String,
    pub body: Vec<u8>,
    pub key: SigningKey,
    pub key_id: String,
    pub created: i64,
    pub expires: i64,
    pub nonce: String,
}

impl Forged {
    pub(crate) fn new(key: &SigningKey, path: &str, body: Option<Value>) -> Forged {
        let now = chrono::Utc::now().timestamp();
        Forged {
            method: if body.is_some() { "POST" } else { "GET" },
            path: path.into(),
            body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            key: key.clone(),
            key_id: "henan-test".into(),
            created: now,
            expires: now + 60,
            nonce: uuid::Uuid::new_v4().to_string(),
        }
    }

    pub(crate) fn headers(&self, app: &TestApp) -> Vec<(String, String)> {
        let mut req = RequestParts {
            method: self.method.into(),
            target_uri: app.url(&self.path),
            headers: vec![("content-digest".into(), httpsig::content_digest(&self.body))],
        };
        let mut components = vec!["@method", "@target-uri", "content-digest"];
        if !self.body.is_empty() {
            req.headers
                .push(("content-type".into(), "application/json".into()));
            components.push("content-type");
        }
        let spec = SignSpec {
            label: "sig1",
            components: httpsig::components(&components),
            created: self.created,
            expires: self.expires,
            keyid: &self.key_id,
            nonce: &self.nonce,
        };
        let (input, sig) = httpsig::sign(Message::Request(&req), &self.key, &spec).unwrap();
        req.headers.push(("signature-input".into(), input));
        req.headers.push(("signature".into(), sig));
        req.headers
    }
}

pub(crate) async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> reqwest::Response {
    let mut rb = app.client.request(method.parse().unwrap(), app.url(path));
    for (n, v) in headers {
        rb = rb.header(n, v);
    }
    rb.body(body.to_vec()).send().await.unwrap()
}

pub(crate) fn verification_body(id: &str) -> Value {
    json!({
        "id_number": id,
        "name": "李娜",
        "purpose": "marriage_registration",
        "case": {"office_id": "zz-jinshui", "application_reference": "AP-TEST01", "registrar_id": 7},
    })
}

#[tokio::test]
async fn bad_partner_requests_are_refused_with_a_problem_and_an_audit_event() {
    let own = KeyFile::new();
    let partner_key = keys::generate().unwrap();
    let db = Arc::new(TestDb::create());
    let app = spawn_app_on(db.clone(), db.url(), |s| {
        // 河南 may verify residents and query registrations, not notify.
        let ha = peer(
            "henan",
            &["41"],
            "http://127.0.0.1:9",
            "henan-test",
            &partner_key,
            &["household_verification", "registration_status"],
        );
        configure(s, "32", "jiangsu-test", &own, vec![ha]);
    });
    let resident_id = id_number("320508", "19960101", false);
    add_resident(&app, &resident_id, "李娜", "320508", "unmarried");
    let path = "/v1/partner/household-verifications";
    let good = || Forged::new(&partner_key, path, Some(verification_body(&resident_id)));

    // The well-signed request is answered, and the answer is signed by this instance and bound
    // to the request's signature.
    let f = good();
    let headers = f.headers(&app);
    let resp = send(&app, "POST", path, &headers, &f.body).await;
    assert_eq!(resp.status(), 200);
    let res_headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let body = resp.bytes().await.unwrap();
    let req = RequestParts {
        method: "POST".into(),
        target_uri: app.url(path),
        headers: headers.clone(),
    };
    let res = ResponseParts {
        status: 200,
        headers: res_headers,
        request: &req,
    };
    let got = httpsig::read(&res.headers).unwrap();
    assert!(got.covers(r#""signature";req;key="sig1""#));
    httpsig::verify(Message::Response(&res), &got, &own.key.verifying_key()).unwrap();
    httpsig::check_digest(
        httpsig::header(&res.headers, "content-digest").as_deref(),
        &body,
    )
    .unwrap();
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        answer,
        json!({"found": true, "name_matches": true, "hukou_division_code": "320508", "marital_status": "unmarried", "pending_application": false})
    );

    // Replaying exactly that request.
    let replay = send(&app, "POST", path, &headers, &f.body).await;

    let stranger = keys::generate().unwrap();
    let unsigned = send(
        &app,
        "POST",
        path,
        &[("content-type".into(), "application/json".into())],
        &f.body,
    )
    .await;
    let unknown = {
        let mut f = good();
        f.key_id = "stranger".into();
        send(&app, "POST", path, &f.headers(&app), &f.body).await
    };
    let bad_sig = {
        let mut f = good();
        f.key = stranger.clone();
        send(&app, "POST", path, &f.headers(&app), &f.body).await
    };
    let altered = {
        let f = good();
        let h = f.headers(&app);
        let other = verification_body(&id_number("320508", "19970101", false)).to_string();
        send(&app, "POST", path, &h, other.as_bytes()).await
    };
    let now = chrono::Utc::now().timestamp();
    let expired = {
        let mut f = good();
        (f.created, f.expires) = (now - 200, now - 100);
        send(&app, "POST", path, &f.headers(&app), &f.body).await
    };
    let skewed = {
        let mut f = good();
        (f.created, f.expires) = (now + 600, now + 650);
        send(&app, "POST", path, &f.headers(&app), &f.body).await
    };
    let not_permitted = {
        let n = json!({"event_id": "e1", "type": "marriage_registered", "certificate_number": "J410105-2026-000001",
            "registered_at": "2026-05-20T01:00:00Z", "office": {"id": "zz-jinshui", "name": "x", "division_code": "410105"},
            "parties": [{"id_number": resident_id, "name": "李娜"}]});
        let f = Forged::new(&partner_key, "/v1/partner/notifications", Some(n));
        send(
            &app,
            "POST",
            "/v1/partner/notifications",
            &f.headers(&app),
            &f.body,
        )
        .await
    };
    // A request signed for another host, passed off with X-Forwarded-Host.
    let forwarded = {
        let f = good();
        let mut h = f.headers(&app);
        // Re-sign for another region's address, then present it here.
        let other = RequestParts {
            method: "POST".into(),
            target_uri: format!("http://hunyin.other.example{path}"),
            headers: h
                .iter()
                .filter(|(n, _)| !n.starts_with("signature"))
                .cloned()
                .collect(),
        };
        let spec = SignSpec {
            label: "sig1",
            components: httpsig::components(&[
                "@method",
                "@target-uri",
                "content-digest",
                "content-type",
            ]),
            created: f.created,
            expires: f.expires,
            keyid: "henan-test",
            nonce: &f.nonce,
        };
        let (input, sig) = httpsig::sign(Message::Request(&other), &partner_key, &spec).unwrap();
        h.retain(|(n, _)| !n.starts_with("signature"));
        h.push(("signature-input".into(), input));
        h.push(("signature".into(), sig));
        h.push(("x-forwarded-host".into(), "hunyin.other.example".into()));
        h.push(("forwarded".into(), "host=hunyin.other.example".into()));
        send(&app, "POST", path, &h, &f.body).await
    };
    let cases = [
        (forwarded, 401, "signature_invalid"),
        (replay, 401, "nonce_replayed"),
        (unsigned, 401, "signature_missing"),
        (unknown, 401, "unknown_key"),
        (bad_sig, 401, "signature_invalid"),
        (altered, 401, "digest_mismatch"),
        (expired, 401, "signature_expired"),
        (skewed, 401, "clock_skew"),
        (not_permitted, 403, "operation_forbidden"),
    ];
    for (resp, status, code) in cases {
        assert_eq!(resp.status(), status, "{code}");
        if status == 401 {
            assert_eq!(resp.headers()["www-authenticate"], "Signature", "{code}");
        }
        assert_eq!(problem(resp).await["code"], code);
    }
    let refused = audit_details(&app, "partner.request_refused");
    let reasons: Vec<&str> = refused
        .iter()
        .map(|d| d["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "nonce_replayed",
            "signature_missing",
            "unknown_key",
            "signature_invalid",
            "digest_mismatch",
            "signature_expired",
            "clock_skew",
            "operation_forbidden",
            "signature_invalid"
        ]
    );
    assert_eq!(refused[2]["key_id"], "stranger");
    assert_eq!(refused[7]["operation"], "notification");
    // Only the one good request was answered (and audited as a read).
    assert_eq!(
        audit_details(&app, "partner.household_verification.received").len(),
        1
    );

    // Well signed but malformed: 400 with the field named, never a 500.
    let f = Forged::new(&partner_key, path, Some(verification_body("12345")));
    let resp = send(&app, "POST", path, &f.headers(&app), &f.body).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        problem(resp).await["invalid_params"][0]["name"],
        "id_number"
    );
    // A person not in the register: found false and nothing more.
    let f = Forged::new(
        &partner_key,
        path,
        Some(verification_body(&id_number("320508", "19800101", true))),
    );
    let resp = send(&app, "POST", path, &f.headers(&app), &f.body).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"found": false, "name_matches": false, "hukou_division_code": null, "marital_status": null, "pending_application": false})
    );
    // An unknown certificate: 404 problem.
    let f = Forged::new(
        &partner_key,
        "/v1/partner/registrations/J320508-2026-999999",
        None,
    );
    let resp = send(&app, "GET", &f.path, &f.headers(&app), &[]).await;
    assert_eq!(resp.status(), 404);
    problem(resp).await;
}

#[tokio::test]
async fn an_unreachable_partner_answers_partner_unavailable_and_allows_manual_verification() {
    // 河南's instance accepts connections and never answers; 西安's port has no listener.
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hanging_url = format!("http://{}", hanging.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        loop {
            let (s, _) = hanging.accept().await.unwrap();
            open.push(s);
        }
    });
    let closed_url = format!("http://127.0.0.1:{}", free_port());
    let own = KeyFile::new();
    let (k1, k2) = (keys::generate().unwrap(), keys::generate().unwrap());
    let db = Arc::new(TestDb::create());
    let app = spawn_app_on(db.clone(), db.url(), |s| {
        let ha = peer("henan", &["41"], &hanging_url, "henan-test", &k1, &ALL_OPS);
        let xa = peer("xian", &["6101"], &closed_url, "xian-test", &k2, &ALL_OPS);
        configure(s, "32", "jiangsu-test", &own, vec![ha, xa]);
        s.partner.timeout_ms = 400;
        s.partner.retries = 1;
        s.outbox.max_attempts = 1;
    });
    let token = app.registrar(JS_OFFICE).await;
    for (n, (hukou, birth)) in [("410105", "19960101"), ("610113", "19970202")]
        .into_iter()
        .enumerate()
    {
        let man = id_number("320508", &format!("199{n}0303"), true);
        add_resident(&app, &man, "王强", "320508", "unmarried");
        let woman = id_number(hukou, birth, false);
        let parties = json!([
            party(&man, "王强", "320508", None),
            party(&woman, "李娜", hukou, None)
        ]);
        let r = walk_in(&app, &token, JS_OFFICE, parties).await;
        let v = run_checks(&app, &token, &r).await;
        assert_eq!(v["checks"][1]["outcome"], "unavailable", "{hukou}");
        assert_eq!(v["checks"][1]["reason"], "partner_unavailable", "{hukou}");
        assert_eq!(v["cleared"], false);
        // The registrar verifies the paper 户口簿 instead.
        let resp = post(
            &app,
            &token,
            &format!("/v1/registrar/applications/{r}/manual-verifications"),
            json!({"party": 1, "marital_status": "unmarried", "note": "户口簿 seen, 婚姻状况 未婚"}),
        )
        .await;
        assert_eq!(resp.status(), 201);
        assert_eq!(resp.json::<Value>().await.unwrap()["cleared"], true);
        // Registered all the same; the notice to the partner waits in the outbox.
        let resp = declare_and_register(&app, &token, &r).await;
        assert_eq!(resp.status(), 201);
    }

    // Undeliverable notifications stay visible to supervisors, who can put them back in line.
    app.add_staff(JS_OFFICE, "supervisor", "js-super", "supervisor-password");
    let sup = app.sign_in("js-super", "supervisor-password").await;
    let list = |token: String, query: &'static str| {
        let app = &app;
        async move {
            app.authed(
                Method::GET,
                &format!("/v1/registrar/partner-deliveries{query}"),
                &token,
            )
            .send()
            .await
            .unwrap()
        }
    };
    let mut failed = Vec::new();
    for _ in 0..100 {
        let v: Value = list(sup.clone(), "").await.json().await.unwrap();
        failed = v["deliveries"].as_array().unwrap().clone();
        if failed.len() == 2 && failed.iter().all(|d| d["state"] == "failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed.len(), 2, "{failed:?}");
    let partners: Vec<&str> = failed
        .iter()
        .map(|d| d["partner"].as_str().unwrap())
        .collect();
    assert_eq!(partners, ["xian", "henan"]);
    assert!(failed
        .iter()
        .all(|d| d["state"] == "failed" && d["attempts"] == 1 && d["last_error"].is_string()));
    assert_eq!(
        failed[0]["parties"][0],
        masked(&id_number("610113", "19970202", false))
    );
    assert_eq!(
        problem(list(token.clone(), "").await).await["code"],
        "forbidden_role"
    );
    assert_eq!(
        problem(list(sup.clone(), "?state=bogus").await).await["code"],
        "invalid_request"
    );
    let id = failed[0]["id"].as_i64().unwrap();
    let resp = post(
        &app,
        &sup,
        &format!("/v1/registrar/partner-deliveries/{id}/retry"),
        json!({}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        audit_details(&app, "partner.notification.requeued").len(),
        1
    );
    let resp = post(
        &app,
        &sup,
        "/v1/registrar/partner-deliveries/999999/retry",
        json!({}),
    )
    .await;
    assert_eq!(problem(resp).await["code"], "not_found");
    held.abort();
}

fn python_interop_available() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import http_message_signatures, cryptography"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("REQUIRE_INTEROP_TEST").is_err(),
            "REQUIRE_INTEROP_TEST is set but Python's http-message-signatures is not installed"
        );
        eprintln!("skipped: pip install http-message-signatures to run the interoperability test");
    }
    ok
}

fn python(job: Value) -> Value {
    use std::io::Write;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/httpsig_interop.py"
    );
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Reads one raw HTTP request off a socket: method, path, header fields, body.
async fn capture_one(
    listener: tokio::net::TcpListener,
) -> (String, String, Vec<(String, String)>, Vec<u8>) {
    use tokio::io::AsyncReadExt;
    let (mut s, _) = listener.accept().await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).await.unwrap();
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(buf[..end].to_vec()).unwrap();
            let mut lines = head.split("\r\n");
            let mut first = lines.next().unwrap().split(' ');
            let (method, path) = (
                first.next().unwrap().to_owned(),
                first.next().unwrap().to_owned(),
            );
            let headers: Vec<(String, String)> = lines
                .map(|l| {
                    let (n, v) = l.split_once(':').unwrap();
                    (n.trim().to_ascii_lowercase(), v.trim().to_owned())
                })
                .collect();
            let len: usize = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .map(|(_, v)| v.parse().unwrap())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
            }
            return (method, path, headers, buf[end + 4..end + 4 + len].to_vec());
        }
        assert!(n > 0, "connection closed before the request ended");
    }
}

#[tokio::test]
async fn signatures_interoperate_with_pythons_http_message_signatures() {
    if !python_interop_available() {
        return;
    }
    // 1. Python verifies a request exactly as our client puts it on the wire.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let captured = tokio::spawn(capture_one(listener));
    let own = KeyFile::new();
    let partner_key = keys::generate().unwrap();
    let mut s = test_settings("sqlite://unused");
    configure(
        &mut s,
        "32",
        "jiangsu-test",
        &own,
        vec![peer(
            "henan",
            &["41"],
            &base,
            "henan-test",
            &partner_key,
            &ALL_OPS,
        )],
    );
    let partners = Partners::from_settings(&s.partner, &s.instance).unwrap();
    let body = verification_body(&id_number("410105", "19960101", false));
    let _ = call_as(
        partners,
        "henan",
        "POST",
        "/v1/partner/household-verifications".into(),
        Some(body),
    )
    .await;
    let (method, path, headers, raw_body) = captured.await.unwrap();
    let verdict = python(json!({
        "mode": "verify",
        "method": method,
        "url": format!("{base}{path}"),
        "headers": headers,
        "body": String::from_utf8(raw_body).unwrap(),
        "public_key": keys::public_to_text(&own.key.verifying_key()),
        "key_id": "jiangsu-test",
    }));
    assert_eq!(verdict["ok"], true, "{verdict}");
    let covered = verdict["covered"].to_string();
    for c in ["@method", "@target-uri", "content-digest", "content-type"] {
        assert!(covered.contains(c), "{c} not covered: {covered}");
    }

    // 2. Python signs a partner request; our server verifies it and answers.
    let db = Arc::new(TestDb::create());
    let server_key = KeyFile::new();
    let app = spawn_app_on(db.clone(), db.url(), |s| {
        let ha = peer(
            "henan",
            &["41"],
            "http://127.0.0.1:9",
            "henan-test",
            &partner_key,
            &ALL_OPS,
        );
        configure(s, "32", "jiangsu-test", &server_key, vec![ha]);
    });
    let path = "/v1/partner/household-verifications";
    let body = verification_body(&id_number("320508", "19960101", false)).to_string();
    let signed = python(json!({
        "mode": "sign",
        "method": "POST",
        "url": app.url(path),
        "body": body,
        "content_type": "application/json",
        "private_key": base64_of(&partner_key),
        "key_id": "henan-test",
        "nonce": uuid::Uuid::new_v4().to_string(),
    }));
    let headers: Vec<(String, String)> = signed["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let resp = send(&app, "POST", path, &headers, body.as_bytes()).await;
    assert_eq!(resp.status(), 200);
    // Our answer is bound to Python's signature label.
    let input = resp.headers()["signature-input"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(input.contains(r#""signature";req;key="py1""#), "{input}");
    assert_eq!(resp.json::<Value>().await.unwrap()["found"], false);
}

fn base64_of(key: &SigningKey) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
}

/// The status query answered on the suite's engine (the federation test's 江苏 is SQLite).
#[tokio::test]
async fn a_status_query_reads_the_certificate_on_the_suite_engine() {
    let own = KeyFile::new();
    let partner_key = keys::generate().unwrap();
    let db = Arc::new(TestDb::create());
    let app = spawn_app_on(db.clone(), db.url(), |s| {
        let ha = peer(
            "henan",
            &["41"],
            "http://127.0.0.1:9",
            "henan-test",
            &partner_key,
            &["registration_status"],
        );
        configure(s, "32", "jiangsu-test", &own, vec![ha]);
    });
    let token = app.registrar(JS_OFFICE).await;
    let r = crate::registration::ready(&app, &token, 80).await;
    let v: Value = crate::registration::register(&app, &token, &r)
        .await
        .json()
        .await
        .unwrap();
    let number = v["certificate_number"].as_str().unwrap();
    let f = Forged::new(
        &partner_key,
        &format!("/v1/partner/registrations/{number}"),
        None,
    );
    let resp = send(&app, "GET", &f.path, &f.headers(&app), &[]).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "valid");
    assert_eq!(v["certificate_number"], number);
    assert_eq!(v["office"]["id"], JS_OFFICE);
    assert_eq!(
        v["parties"][0]["id_number_masked"],
        masked(&crate::helpers::nth_person(80, true))
    );
    assert_eq!(
        audit_details(&app, "partner.registration_status.received").len(),
        1
    );
}

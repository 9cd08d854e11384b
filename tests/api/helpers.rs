//! `spawn_app()`: a real server on 127.0.0.1, port 0, over a fresh database of the engine the
//! suite runs on; and the other shared test parts.

use std::path::PathBuf;
use std::sync::Arc;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use hunyin::configuration::Settings;
use hunyin::startup::Application;
use secrecy::SecretString;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The PostgreSQL server the suite runs on, if any.
pub fn postgres_server_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A database made for one test and removed when the test ends.
pub enum TestDb {
    Sqlite {
        dir: PathBuf,
        url: String,
    },
    Postgres {
        server_url: String,
        name: String,
        url: String,
    },
}

impl TestDb {
    /// A fresh, empty database on the suite's engine.
    pub fn create() -> TestDb {
        let id = uuid::Uuid::new_v4().simple().to_string();
        match postgres_server_url() {
            Some(server_url) => {
                let name = format!("hunyin_test_{id}");
                let mut admin = PgConnection::establish(&server_url)
                    .expect("TEST_DATABASE_URL must reach a PostgreSQL server");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let url = with_database(&server_url, &name);
                TestDb::Postgres {
                    server_url,
                    name,
                    url,
                }
            }
            None => TestDb::create_sqlite(),
        }
    }

    /// A fresh SQLite database in its own folder, whatever the suite's engine.
    pub fn create_sqlite() -> TestDb {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("hunyin-test-{id}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("hunyin.db").display());
        TestDb::Sqlite { dir, url }
    }

    /// The URL the app is given.
    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres {
                server_url, name, ..
            } => {
                if let Ok(mut admin) = PgConnection::establish(server_url) {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// The defaults with test-friendly values: port 0, one worker, quick pool time-outs.
pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings::load(None, Vec::new()).expect("defaults load");
    settings.server.host = "127.0.0.1".into();
    settings.server.port = 0;
    settings.server.workers = 1;
    settings.database.url = SecretString::from(database_url.to_owned());
    settings.database.acquire_timeout_ms = 10_000;
    settings.database.max_connections = 4;
    settings.outbox.poll_interval_ms = 50;
    settings.sweep.interval_secs = 1;
    // Tests race many requests from 127.0.0.1; the limiter has tests of its own.
    settings.rate_limit.per_minute = 1_000_000;
    settings.rate_limit.burst = 1_000_000;
    settings
}

/// A running server and its database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Arc<TestDb>,
    /// Mail the app sent, when it runs with the in-memory mailer (the default in tests).
    pub mails: Option<Arc<std::sync::Mutex<Vec<Vec<u8>>>>>,
}

/// Starts the app on a fresh database.
pub async fn spawn_app() -> TestApp {
    let db = Arc::new(TestDb::create());
    spawn_app_on(db.clone(), db.url(), |_| {})
}

/// Starts the app on `db`, reached through `url` (a proxy, say), after `customize`.
pub fn spawn_app_on(db: Arc<TestDb>, url: &str, customize: impl FnOnce(&mut Settings)) -> TestApp {
    init_test_logging();
    let mut settings = test_settings(url);
    customize(&mut settings);
    // The in-memory mailer unless the test chose SMTP or a folder of its own.
    let (mailer, mails) = if settings.mail.file_dir == "var/mail"
        && settings.mail.transport == hunyin::configuration::MailTransport::File
    {
        let (m, store) = hunyin::mail::Mailer::memory();
        (Some(m), Some(store))
    } else {
        (None, None)
    };
    let app = Application::build_with_mailer(settings, mailer).expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        mails,
    }
}

/// Logs go to the test output only when TEST_LOG is set.
fn init_test_logging() {
    if std::env::var("TEST_LOG").is_ok() {
        hunyin::telemetry::init(&hunyin::configuration::LogSettings {
            format: hunyin::configuration::LogFormat::Human,
            filter: "debug".into(),
        });
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_healthz(&self) -> reqwest::Response {
        self.get("/healthz").await
    }

    pub async fn get_readyz(&self) -> reqwest::Response {
        self.get("/readyz").await
    }

    pub async fn get_metrics(&self) -> String {
        self.get("/metrics")
            .await
            .text()
            .await
            .expect("metrics body")
    }

    /// Opens a direct connection to the app's database (not through the app).
    pub fn connect(&self) -> hunyin::db::DbConn {
        let settings = test_settings(self.db.url());
        hunyin::db::Manager::new(&settings.database)
            .open()
            .expect("direct connection")
    }
}

/// Reads a problem+json answer, checking its media type and required members.
pub async fn problem(resp: reqwest::Response) -> serde_json::Value {
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(ct, "application/problem+json", "status {status}");
    let header_id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: serde_json::Value = resp.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status, "{body}");
    for member in ["type", "title", "title_zh", "detail", "detail_zh", "code"] {
        assert!(body[member].is_string(), "problem lacks {member}: {body}");
    }
    assert_eq!(body["request_id"].as_str(), header_id.as_deref(), "{body}");
    body
}

/// A TCP proxy on 127.0.0.1 in front of a database server, which a test can cut (closing
/// every connection and refusing new ones) and restore: the database "goes down" for real
/// from the app's side.
pub struct Proxy {
    pub port: u16,
    up: watch::Sender<bool>,
}

impl Proxy {
    /// Starts forwarding to `target` (host:port) on a thread of its own, so that a test
    /// thread blocked in a synchronous database call never starves it.
    pub fn start(target: String) -> Proxy {
        let (up, _) = watch::channel(true);
        let state = up.clone();
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("proxy runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy bind");
                let _ = port_tx.send(listener.local_addr().expect("addr").port());
                while let Ok((mut inbound, _)) = listener.accept().await {
                    let mut rx = state.subscribe();
                    if !*rx.borrow() {
                        continue; // dropped: the connection closes at once
                    }
                    let target = target.clone();
                    tokio::spawn(async move {
                        let Ok(mut outbound) = TcpStream::connect(&target).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                            _ = rx.wait_for(|up| !*up) => {}
                        }
                    });
                }
            });
        });
        let port = port_rx.recv().expect("proxy started");
        Proxy { port, up }
    }

    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

/// host:port of a PostgreSQL URL.
pub fn host_port(url: &str) -> String {
    let after = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = after.split('/').next().unwrap_or(after);
    let hostport = authority.rsplit('@').next().unwrap_or(authority);
    if hostport.contains(':') {
        hostport.to_owned()
    } else {
        format!("{hostport}:5432")
    }
}

/// `url` pointed at 127.0.0.1:`port` instead of its own host.
pub fn via_port(url: &str, port: u16) -> String {
    let (scheme, rest) = url.split_once("://").expect("url has a scheme");
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let userinfo = authority
        .rsplit_once('@')
        .map(|(u, _)| format!("{u}@"))
        .unwrap_or_default();
    format!("{scheme}://{userinfo}127.0.0.1:{port}/{path}")
}

/// A valid 18-character ID number issued at `address` for someone born `birth` (YYYYMMDD).
pub fn id_number(address: &str, birth: &str, male: bool) -> String {
    let seq = if male { "017" } else { "026" };
    let body = format!("{address}{birth}{seq}");
    let arr: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", hunyin::domain::id_number::check_character(&arr))
}

/// A party in the API's shape.
pub fn party(id: &str, name: &str, hukou: &str, permit: Option<(&str, &str)>) -> serde_json::Value {
    serde_json::json!({
        "id_number": id,
        "name": name,
        "hukou_division_code": hukou,
        "residence_permit": permit.map(|(d, u)| serde_json::json!({"division_code": d, "valid_until": u})),
    })
}

impl TestApp {
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_eligibility(&self, body: &serde_json::Value) -> reqwest::Response {
        self.post_json("/v1/eligibility", body).await
    }
}

/// The `id`s of an answer's `offices` list.
pub fn office_ids(v: &serde_json::Value) -> Vec<&str> {
    v["offices"]
        .as_array()
        .expect("offices is a list")
        .iter()
        .map(|o| o["id"].as_str().expect("office id"))
        .collect()
}

/// The `n`th distinct man (odd sequence) or woman (even sequence) born 1990-01-01 in 苏州.
pub fn nth_person(n: u32, male: bool) -> String {
    let seq = n * 2 + u32::from(male);
    let birth = format!(
        "1990{:02}{:02}",
        1 + (seq / 1000) % 12,
        1 + (seq / 12000) % 28
    );
    let body = format!("320508{birth}{:03}", seq % 1000);
    let arr: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", hunyin::domain::id_number::check_character(&arr))
}

/// The `n`th distinct couple with 苏州 hukou, as the API's `parties`.
pub fn nth_couple(n: u32) -> serde_json::Value {
    serde_json::json!([
        party(&nth_person(n, true), "王强", "320508", None),
        party(&nth_person(n, false), "李娜", "320508", None),
    ])
}

impl TestApp {
    /// The bookable slots of an office (the whole listing window).
    pub async fn slots(&self, office: &str) -> Vec<serde_json::Value> {
        let resp = self.get(&format!("/v1/offices/{office}/slots")).await;
        assert_eq!(resp.status(), 200);
        let v: serde_json::Value = resp.json().await.expect("slots JSON");
        v["slots"].as_array().expect("slots list").clone()
    }

    /// One slot's `remaining`, read back from the listing.
    pub async fn remaining(&self, office: &str, slot_id: &str) -> i64 {
        self.slots(office)
            .await
            .iter()
            .find(|s| s["id"] == slot_id)
            .map(|s| s["remaining"].as_i64().expect("remaining"))
            .expect("slot still listed")
    }

    pub async fn book(
        &self,
        office: &str,
        slot_id: &str,
        parties: serde_json::Value,
    ) -> reqwest::Response {
        self.post_json(
            "/v1/appointments",
            &serde_json::json!({
                "office_id": office,
                "slot_id": slot_id,
                "parties": parties,
                "contact": {"email": "couple@example.com", "phone": "138 0000 0000"},
            }),
        )
        .await
    }

    /// `PATCH` the appointment to `slot_id` with its token.
    pub async fn reschedule(
        &self,
        reference: &str,
        token: &str,
        slot_id: &str,
    ) -> reqwest::Response {
        self.appointment(reqwest::Method::PATCH, reference, Some(token))
            .json(&serde_json::json!({ "slot_id": slot_id }))
            .send()
            .await
            .expect("request sent")
    }

    pub fn appointment(
        &self,
        method: reqwest::Method,
        reference: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut rb = self
            .client
            .request(method, self.url(&format!("/v1/appointments/{reference}")));
        if let Some(t) = token {
            rb = rb.header("x-manage-token", t);
        }
        rb
    }
}

/// A sent message, parsed: headers, text and the calendar part.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub calendar: Option<String>,
    pub calendar_type: Option<String>,
}

/// Parses a raw RFC 5322 message.
pub fn parse_mail(raw: &[u8]) -> SentMail {
    use mail_parser::MimeHeaders;
    let m = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a MIME message");
    let to = m
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or("")
        .to_owned();
    let mut calendar = None;
    let mut calendar_type = None;
    for part in m.parts.iter() {
        if let Some(ct) = part.content_type() {
            if ct.ctype() == "text" && ct.subtype() == Some("calendar") {
                calendar = part.text_contents().map(str::to_owned);
                calendar_type = Some(format!(
                    "text/calendar; method={}",
                    ct.attribute("method").unwrap_or("")
                ));
            }
        }
    }
    SentMail {
        to,
        subject: m.subject().unwrap_or("").to_owned(),
        text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        calendar,
        calendar_type,
    }
}

impl TestApp {
    /// Waits (up to 10 s) until at least `n` messages were sent in memory; returns them parsed.
    pub async fn wait_for_mails(&self, n: usize) -> Vec<SentMail> {
        let store = self
            .mails
            .as_ref()
            .expect("this app uses the in-memory mailer");
        for _ in 0..200 {
            let raw: Vec<Vec<u8>> = store.lock().unwrap().clone();
            if raw.len() >= n {
                return raw.iter().map(|r| parse_mail(r)).collect();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("fewer than {n} mails sent in 10 s");
    }
}

impl TestApp {
    /// Creates a staff account directly in the database.
    pub fn add_staff(&self, office: &str, role: &str, username: &str, password: &str) {
        let hash = hunyin::auth::hash_password(password).expect("hash");
        let created = hunyin::db::staff::insert(
            &mut self.connect(),
            &hunyin::db::staff::NewStaff {
                office_id: office,
                username,
                display_name: "测试登记员",
                role,
                password_hash: &hash,
                disabled: false,
                created_at: chrono::Utc::now().naive_utc(),
            },
        )
        .expect("insert staff");
        assert!(created, "username {username} taken");
    }

    pub async fn post_sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/v1/registrar/sessions",
            &serde_json::json!({ "username": username, "password": password }),
        )
        .await
    }

    /// Signs in and returns the bearer token.
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let resp = self.post_sign_in(username, password).await;
        assert_eq!(resp.status(), 201);
        let v: serde_json::Value = resp.json().await.expect("session JSON");
        v["token"].as_str().expect("token").to_owned()
    }

    /// A registrar of `office`, signed in.
    pub async fn registrar(&self, office: &str) -> String {
        let username = format!("reg-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        self.add_staff(office, "registrar", &username, "registrar-password");
        self.sign_in(&username, "registrar-password").await
    }

    /// A request with a bearer token.
    pub fn authed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }
}

/// Moves a slot to start in a minute, so that its appointments are today's.
pub fn slot_today(app: &TestApp, slot: &str) {
    use diesel::connection::SimpleConnection;
    let now = chrono::Utc::now().naive_utc();
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    app.connect()
        .batch_execute(&format!(
            "UPDATE slots SET starts_at = '{}', ends_at = '{}' WHERE id = '{slot}'",
            fmt(now + chrono::Duration::minutes(1)),
            fmt(now + chrono::Duration::minutes(30)),
        ))
        .unwrap();
}

/// Puts residents (ID number, name, marital status) of 苏州 姑苏区 straight into the register.
pub fn add_residents(app: &TestApp, rows: &[(&str, &str, &str)]) {
    for (id, name, status) in rows {
        add_resident(app, id, name, "320508", status);
    }
}

/// Puts one resident with hukou in division `hukou` straight into the register.
pub fn add_resident(app: &TestApp, id: &str, name: &str, hukou: &str, status: &str) {
    let parsed = hunyin::domain::IdNumber::parse(id, chrono::NaiveDate::MAX).expect("valid id");
    let sex = match parsed.sex() {
        hunyin::domain::id_number::Sex::Male => "male",
        hunyin::domain::id_number::Sex::Female => "female",
    };
    app.connect()
        .batch_execute(&format!(
            "INSERT INTO household_records VALUES ('{id}', '{name}', '{sex}', '{}', '{hukou}', '{status}', '2026-01-01 00:00:00')",
            parsed.birth_date()
        ))
        .expect("insert resident");
}

/// The masked form of an ID number, for assertion messages that must not leak it either.
pub fn masked(id: &str) -> String {
    hunyin::telemetry::mask(id)
}

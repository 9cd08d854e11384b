//! `spawn_app()`: a real server on 127.0.0.1, port 0, over a fresh database of the engine the
//! suite runs on; and its variants.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::database::TestDb;
use super::lib::{self, Application, LogFormat, LogSettings, MailTransport, Mailer, Settings};

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
    /// The application's context, when this process started it.
    pub context: Option<Arc<lib::AppContext>>,
}

/// Starts the app on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {})
}

/// Starts the app on a fresh database, after `customize`.
pub fn spawn_app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    let db = Arc::new(TestDb::create());
    spawn_app_on(db.clone(), db.url(), customize)
}

/// Starts the app on `db`, reached through `url` (a proxy, say), after `customize`.
pub fn spawn_app_on(db: Arc<TestDb>, url: &str, customize: impl FnOnce(&mut Settings)) -> TestApp {
    init_test_logging();
    let mut settings = test_settings(url);
    customize(&mut settings);
    // The in-memory mailer unless the test chose SMTP or a folder of its own.
    let (mailer, mails) =
        if settings.mail.file_dir == "var/mail" && settings.mail.transport == MailTransport::File {
            let (m, store) = Mailer::memory();
            (Some(m), Some(store))
        } else {
            (None, None)
        };
    let app = Application::build_with_mailer(settings, mailer).expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let context = Some(app.context());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        mails,
        context,
        ..TestApp::attach(address, db)
    }
}

/// Logs go to the test output only when TEST_LOG is set.
fn init_test_logging() {
    if std::env::var("TEST_LOG").is_ok() {
        lib::telemetry::init(&LogSettings {
            format: LogFormat::Human,
            filter: "debug".into(),
        });
    }
}

impl TestApp {
    /// A server this process did not start (the binary, say) at `address`, over `db`.
    pub fn attach(address: String, db: Arc<TestDb>) -> TestApp {
        TestApp {
            address,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            db,
            mails: None,
            context: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Opens a direct connection to the app's database (not through the app).
    pub fn connect(&self) -> lib::db::DbConn {
        let settings = test_settings(self.db.url());
        lib::db::Manager::new(&lib::db_config(&settings))
            .open()
            .expect("direct connection")
    }
}

/// Waits (polling every 100 ms, up to 20 s) until `f` holds.
pub async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..200 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

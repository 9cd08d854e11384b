//! Mail the app sent: parsed messages, the in-memory store, and a real SMTP server.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::app::TestApp;
use super::proxy::free_port;
use super::python::has_python_modules;

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
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {n} mails sent in 10 s");
    }
}

/// Python's aiosmtpd on loopback, storing mail in a maildir; killed, reaped and its maildir
/// removed on drop.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub maildir: std::path::PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// Starts aiosmtpd; `None` when it is not installed (`.ci/run` installs it and sets
/// REQUIRE_SMTP_TEST, which makes that a failure).
pub fn start_aiosmtpd() -> Option<SmtpServer> {
    if !has_python_modules("aiosmtpd", "aiosmtpd", "REQUIRE_SMTP_TEST") {
        return None;
    }
    let port = free_port();
    let maildir =
        std::env::temp_dir().join(format!("hunyin-smtp-{}", uuid::Uuid::new_v4().simple()));
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("aiosmtpd starts");
    // From here the guard kills and reaps the process on every path, panics included.
    let server = SmtpServer {
        child,
        port,
        maildir,
    };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("aiosmtpd did not listen on {port}");
}

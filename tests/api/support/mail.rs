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
    /// The text/html alternative, if the message has one.
    pub html: Option<String>,
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
    let mut html = None;
    for part in m.parts.iter() {
        if let Some(ct) = part.content_type() {
            if ct.ctype() == "text" && ct.subtype() == Some("html") {
                html = part.text_contents().map(str::to_owned);
            }
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
        html,
        calendar,
        calendar_type,
    }
}

impl TestApp {
    /// Waits (up to 10 s) for the confirmation link mailed to `email` (in memory); its secret.
    pub async fn confirmation_token(&self, email: &str) -> String {
        for _ in 0..200 {
            if let Some(t) = self.confirmation_tokens(email).pop() {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no confirmation link mailed to {email} in 10 s");
    }

    /// The secrets of every confirmation link mailed to `email` so far, oldest first.
    pub fn confirmation_tokens(&self, email: &str) -> Vec<String> {
        let store = self
            .mails
            .as_ref()
            .expect("this app uses the in-memory mailer");
        let raw: Vec<Vec<u8>> = store.lock().unwrap().clone();
        raw.iter()
            .map(|r| parse_mail(r))
            .filter(|m| m.to == email && m.subject.starts_with("请确认"))
            .filter_map(|m| link_secret(&m.text))
            .collect()
    }

    /// Every mail sent to `email` so far (in memory), parsed.
    pub fn mails_to(&self, email: &str) -> Vec<SentMail> {
        let store = self
            .mails
            .as_ref()
            .expect("this app uses the in-memory mailer");
        let raw: Vec<Vec<u8>> = store.lock().unwrap().clone();
        raw.iter()
            .map(|r| parse_mail(r))
            .filter(|m| m.to == email)
            .collect()
    }
}

/// Waits (up to 10 s) for the confirmation links to `emails` among the messages of a mail
/// folder (`.eml` files or a maildir's `new`): their secrets, in the order of `emails`.
pub async fn links_in_folder(dir: &std::path::Path, emails: &[String; 2]) -> [String; 2] {
    for _ in 0..200 {
        let mails: Vec<SentMail> = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| parse_mail(&std::fs::read(e.path()).unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        let find = |e: &str| {
            mails
                .iter()
                .filter(|m| m.to == e && m.subject.starts_with("请确认"))
                .find_map(|m| link_secret(&m.text))
        };
        if let (Some(a), Some(b)) = (find(&emails[0]), find(&emails[1])) {
            return [a, b];
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no confirmation links in {}", dir.display());
}

/// The secret in a confirmation link: the 64 hex characters after `#`.
pub fn link_secret(text: &str) -> Option<String> {
    let at = text.find("/confirm#")? + "/confirm#".len();
    let secret: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    (secret.len() == 64).then_some(secret)
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

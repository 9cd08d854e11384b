//! Where mail goes: SMTP (production), `.eml` files (the default for a local run), or memory
//! (tests). Chosen from config; never a global.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use secrecy::ExposeSecret;

use crate::configuration::{MailSettings, MailTransport, SmtpTls};

/// A mail transport.
#[derive(Clone)]
pub enum Mailer {
    Smtp(SmtpTransport),
    File(FileTransport),
    /// Keeps sent messages (formatted) for tests.
    Memory(Arc<Mutex<Vec<Vec<u8>>>>),
}

impl Mailer {
    /// The configured transport. The file transport's folder is created here.
    pub fn from_settings(s: &MailSettings) -> Result<Mailer, String> {
        match s.transport {
            MailTransport::File => {
                std::fs::create_dir_all(&s.file_dir)
                    .map_err(|e| format!("key `mail.file_dir`: {}: {e}", s.file_dir))?;
                Ok(Mailer::File(FileTransport::new(&s.file_dir)))
            }
            MailTransport::Smtp => {
                let builder = match s.smtp_tls {
                    SmtpTls::None => SmtpTransport::builder_dangerous(&s.smtp_host),
                    SmtpTls::Starttls => SmtpTransport::starttls_relay(&s.smtp_host)
                        .map_err(|e| format!("key `mail.smtp_host`: {e}"))?,
                    SmtpTls::Tls => SmtpTransport::relay(&s.smtp_host)
                        .map_err(|e| format!("key `mail.smtp_host`: {e}"))?,
                };
                let mut builder = builder
                    .port(s.smtp_port)
                    .timeout(Some(Duration::from_millis(s.smtp_timeout_ms)));
                if !s.smtp_username.is_empty() {
                    builder = builder.credentials(Credentials::new(
                        s.smtp_username.clone(),
                        s.smtp_password.expose_secret().to_owned(),
                    ));
                }
                Ok(Mailer::Smtp(builder.build()))
            }
        }
    }

    /// An in-memory mailer and the list it fills.
    pub fn memory() -> (Mailer, Arc<Mutex<Vec<Vec<u8>>>>) {
        let store = Arc::new(Mutex::new(Vec::new()));
        (Mailer::Memory(store.clone()), store)
    }

    /// Sends one message (blocking: call it off the async workers).
    pub fn send(&self, message: &Message) -> Result<(), String> {
        match self {
            Mailer::Smtp(t) => t.send(message).map(|_| ()).map_err(|e| e.to_string()),
            Mailer::File(t) => t.send(message).map(|_| ()).map_err(|e| e.to_string()),
            Mailer::Memory(store) => {
                store
                    .lock()
                    .map_err(|_| "memory mailer poisoned".to_owned())?
                    .push(message.formatted());
                Ok(())
            }
        }
    }
}

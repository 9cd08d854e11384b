//! `[mail]` into the mail transport.

use std::time::Duration;

use hunyin_app::mail::{MailDrop, Mailer};
use lettre::transport::smtp::authentication::Credentials;
use lettre::SmtpTransport;
use secrecy::ExposeSecret;

use crate::configuration::{MailSettings, MailTransport, SmtpTls};

/// The configured transport. The file transport's folder is created here (0700, as its files
/// are 0600: couples' names and addresses are in them).
pub fn mailer(s: &MailSettings) -> Result<Mailer, String> {
    match s.transport {
        MailTransport::File => {
            let drop = MailDrop::open(std::path::Path::new(&s.file_dir))
                .map_err(|e| format!("key `mail.file_dir`: {}: {e}", s.file_dir))?;
            Ok(Mailer::File(drop))
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

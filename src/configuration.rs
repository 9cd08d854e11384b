//! Layered configuration: compiled-in `config/default.toml`, an optional file, then
//! `APP__SECTION__KEY` environment variables. Unknown keys are rejected by name.

use std::path::Path;

use config::{Config, Environment, File, FileFormat};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

mod divorce;
mod identity;
pub use divorce::DivorceSettings;
pub use identity::{IdentityModeSetting, IdentitySettings, OidcSettings};

/// The committed defaults, embedded so the binary runs from any directory with no file.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Everything the service reads at start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub instance: InstanceSettings,
    pub rules: RulesSettings,
    pub booking: BookingSettings,
    pub identity: IdentitySettings,
    pub mail: MailSettings,
    pub outbox: OutboxSettings,
    pub rate_limit: RateLimitSettings,
    pub sweep: SweepSettings,
    pub divorce: DivorceSettings,
    pub staff: StaffSettings,
    pub checks: ChecksSettings,
    pub partner: PartnerSettings,
    pub log: LogSettings,
}

/// `[checks]`: how long a household check counts before registration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksSettings {
    pub max_age_minutes: u32,
}

/// `[staff]`: registrar sessions and sign-in throttling.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffSettings {
    pub session_hours: u32,
    pub idle_minutes: u32,
    pub max_failures: u32,
    pub failure_window_minutes: u32,
}

/// `[partner]`: this instance's signing key and the directory of partner instances.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerSettings {
    pub key_id: String,
    pub private_key_file: String,
    pub public_url: String,
    pub clock_skew_secs: u64,
    pub max_validity_secs: u64,
    pub connect_timeout_ms: u64,
    pub timeout_ms: u64,
    pub retries: u32,
    pub retry_backoff_ms: u64,
    pub max_concurrent_calls: u32,
    pub breaker_failures: u32,
    pub breaker_cooldown_secs: u64,
    pub peers: Vec<PeerSettings>,
}

/// One `[[partner.peers]]` entry: a partner instance.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSettings {
    pub name: String,
    pub prefixes: Vec<String>,
    pub base_url: String,
    pub key_id: String,
    pub public_key: String,
    #[serde(default)]
    pub operations: Vec<String>,
}

/// `[rate_limit]`: per-address limits of the public POST routes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    pub enabled: bool,
    pub per_minute: u32,
    pub burst: u32,
    pub trust_forwarded_for: bool,
    /// One allowance across the instances of one database (PostgreSQL only).
    pub shared: SharedLimit,
}

/// Whether the limits are also kept in the database, shared by every instance on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SharedLimit {
    /// On for PostgreSQL, off for SQLite (one instance by design).
    Auto,
    Off,
}

/// `[sweep]`: the no-show sweep.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSettings {
    pub interval_secs: u64,
}

/// `[mail]`: transport and sender.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub file_dir: String,
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_username: String,
    pub smtp_password: SecretString,
    pub smtp_timeout_ms: u64,
    pub production: bool,
    pub reminder_hours_before: u32,
}

/// Where mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    File,
    Smtp,
}

/// TLS towards the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

/// `[outbox]`: the background delivery worker.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxSettings {
    pub poll_interval_ms: u64,
    pub batch_size: i64,
    pub lease_secs: u64,
    pub max_attempts: i32,
    pub retry_base_secs: u64,
    pub retry_max_secs: u64,
    pub retention_days: u32,
}

/// `[booking]`: the booking window, the default weekly rule, special openings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingSettings {
    pub window_days: u32,
    pub min_notice_minutes: u32,
    pub max_range_days: u32,
    pub listing_cache_ms: u64,
    pub weekdays: Vec<String>,
    pub periods: Vec<String>,
    pub slot_minutes: u32,
    pub capacity: u32,
    pub yearly_openings: Vec<String>,
    pub open_dates: Vec<String>,
    pub closed_dates: Vec<String>,
    pub holidays_file: String,
    pub confirm_minutes: u32,
    pub holds_per_contact: u32,
    pub confirm_url: String,
}

/// `[instance]`: which region this instance serves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceSettings {
    pub region_prefix: String,
}

/// `[rules]`: the policy timeline and the office seed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesSettings {
    pub policy_file: String,
    pub offices_file: String,
}

/// `[server]`: the HTTP listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub body_limit_bytes: usize,
    pub shutdown_timeout_secs: u64,
    pub metrics_token: SecretString,
    pub cookie_secure: bool,
}

/// `[database]`: engine, pool and migrations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub max_connections: u32,
    pub acquire_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    pub migrate_on_start: bool,
}

/// `[log]`: output format and filter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

/// A configuration that cannot be used; the message names the offending key.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

/// Rewrites serde's "unknown field `x` … for key `section`" as "unknown key `section.x`".
fn name_the_key(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let field = rest.split('`').next().unwrap_or("");
    let section = message
        .rsplit_once("for key `")
        .and_then(|(_, s)| s.split('`').next());
    let key = match section {
        Some(section) => format!("{section}.{field}"),
        None => field.to_owned(),
    };
    let expected = rest
        .split_once(", expected ")
        .map(|(_, e)| e.split(" for key `").next().unwrap_or(e))
        .unwrap_or("");
    format!("unknown key `{key}` (expected {expected})")
}

impl Settings {
    /// Loads the layers: defaults, then `file` if given, then `APP__…` variables from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let mut builder =
            Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            builder = builder.add_source(File::from(path).format(FileFormat::Toml));
        }
        // Values are kept as strings (no type guessing): `region_prefix = "32"` must stay text.
        let vars: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("APP__"))
            .collect();
        builder = builder.add_source(
            Environment::with_prefix("APP")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(false)
                .source(Some(vars)),
        );
        let settings: Settings = builder
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| ConfigError(name_the_key(&e.to_string())))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Loads from the process environment.
    pub fn from_process(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Settings::load(file, std::env::vars())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, why: &str| Err(ConfigError(format!("key `{key}`: {why}")));
        if self.server.body_limit_bytes == 0 {
            return bad("server.body_limit_bytes", "must be greater than 0");
        }
        if self.database.max_connections == 0 {
            return bad("database.max_connections", "must be greater than 0");
        }
        if self.database.acquire_timeout_ms == 0 {
            return bad("database.acquire_timeout_ms", "must be greater than 0");
        }
        if self.database.url.expose_secret().trim().is_empty() {
            return bad("database.url", "must not be empty");
        }
        if !hunyin_domain::division::is_known_prefix(&self.instance.region_prefix) {
            return bad(
                "instance.region_prefix",
                "must be a GB/T 2260 prefix of 2, 4 or 6 digits, e.g. \"32\"",
            );
        }
        if self.mail.production && self.mail.transport != MailTransport::Smtp {
            return bad(
                "mail.transport",
                "a production instance (mail.production = true) must use \"smtp\"",
            );
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return bad(
                "mail.from",
                "not a mailbox such as \"Name <user@example.org>\"",
            );
        }
        if self.rate_limit.per_minute == 0 || self.rate_limit.burst == 0 {
            return bad("rate_limit", "per_minute and burst must be at least 1");
        }
        if self.checks.max_age_minutes == 0 {
            return bad("checks", "max_age_minutes must be at least 1");
        }
        if self.staff.session_hours == 0 || self.staff.max_failures == 0 {
            return bad("staff", "session_hours and max_failures must be at least 1");
        }
        if let Err(e) = crate::wiring::check_identity(&self.booking) {
            return Err(ConfigError(e));
        }
        if self.sweep.interval_secs == 0 {
            return bad("sweep.interval_secs", "must be greater than 0");
        }
        if self.outbox.batch_size < 1 || self.outbox.max_attempts < 1 {
            return bad("outbox", "batch_size and max_attempts must be at least 1");
        }
        if self.outbox.poll_interval_ms == 0 || self.outbox.lease_secs == 0 {
            return bad(
                "outbox",
                "poll_interval_ms and lease_secs must be greater than 0",
            );
        }
        // One delivery must fit in a lease, or a second worker could take the message while
        // the first still delivers it.
        let delivery_ms = (self.partner.connect_timeout_ms + self.partner.timeout_ms)
            .max(self.mail.smtp_timeout_ms);
        if self.outbox.lease_secs.saturating_mul(1000) <= delivery_ms {
            return Err(ConfigError(format!(
                "key `outbox.lease_secs`: must exceed the longest delivery, {delivery_ms} ms \
                 (partner.connect_timeout_ms + partner.timeout_ms, or mail.smtp_timeout_ms)"
            )));
        }
        if self.partner.max_concurrent_calls < 1 {
            return bad("partner.max_concurrent_calls", "must be at least 1");
        }
        if self.partner.breaker_failures < 1 {
            return bad("partner.breaker_failures", "must be at least 1");
        }
        if let Err(e) = crate::wiring::directory(&self.partner, &self.instance) {
            return Err(ConfigError(e));
        }
        if let Err(e) = self.identity.oidc.validate() {
            return Err(ConfigError(e));
        }
        if let Err(e) = crate::wiring::scheduling(&self.booking) {
            return Err(ConfigError(e));
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.filter) {
            return bad("log.filter", &e.to_string());
        }
        Ok(())
    }
}

//! Layered configuration: compiled-in `config/default.toml`, an optional file, then
//! `APP__SECTION__KEY` environment variables. Unknown keys are rejected by name.

use std::path::Path;

use config::{Config, Environment, File, FileFormat};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

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
    pub log: LogSettings,
}

/// `[booking]`: the booking window, the default weekly rule, special openings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingSettings {
    pub window_days: u32,
    pub min_notice_minutes: u32,
    pub max_range_days: u32,
    pub weekdays: Vec<String>,
    pub periods: Vec<String>,
    pub slot_minutes: u32,
    pub capacity: u32,
    pub yearly_openings: Vec<String>,
    pub open_dates: Vec<String>,
    pub closed_dates: Vec<String>,
    pub holidays_file: String,
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
        if !crate::domain::division::is_known_prefix(&self.instance.region_prefix) {
            return bad(
                "instance.region_prefix",
                "must be a GB/T 2260 prefix of 2, 4 or 6 digits, e.g. \"32\"",
            );
        }
        if let Err(e) = crate::scheduling::Scheduling::from_settings(&self.booking) {
            return Err(ConfigError(e));
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.filter) {
            return bad("log.filter", &e.to_string());
        }
        Ok(())
    }
}

//! Settings into the parts the crates take: the database config, the partner protocol, the
//! scheduling rules, the mail transport and the application's context. Only the binary sees
//! `Settings`; every crate below gets its own narrow values.

mod mail;
mod partner;
mod scheduling;

use std::sync::Arc;

use hunyin_app::citizen::oidc::{Oidc, OidcConfig};
use hunyin_app::outbox::RetryPolicy;
use hunyin_app::sweep::SweepPolicy;
use hunyin_app::verification::{HouseholdVerifier, NoPartners, PartnerVerifier};
use hunyin_app::{AppContext, StaffPolicy};
use hunyin_http::ratelimit::RateLimitSettings;
use hunyin_http::server::ServerConfig;
use hunyin_partner::guard::GuardConfig;
use hunyin_partner::Partners;
use hunyin_store::{DbConfig, Engine};
use lettre::message::Mailbox;
use secrecy::ExposeSecret;

use crate::configuration::{Settings, SharedLimit};

pub use mail::mailer;
pub use partner::{directory, partners};
pub use scheduling::scheduling;

/// `[database]` as the store takes it.
pub fn db_config(s: &Settings) -> DbConfig {
    DbConfig {
        url: s.database.url.clone(),
        max_connections: s.database.max_connections,
        acquire_timeout_ms: s.database.acquire_timeout_ms,
        statement_timeout_ms: s.database.statement_timeout_ms,
    }
}

/// `[partner]`'s limit of calls in flight and circuit breaker, per partner.
pub fn guard_config(s: &Settings) -> GuardConfig {
    GuardConfig {
        max_concurrent_calls: s.partner.max_concurrent_calls as usize,
        breaker_failures: s.partner.breaker_failures,
        breaker_cooldown: std::time::Duration::from_secs(s.partner.breaker_cooldown_secs),
    }
}

/// `[staff]` as sign-in takes it.
pub fn staff_policy(s: &Settings) -> StaffPolicy {
    StaffPolicy {
        session_hours: s.staff.session_hours,
        idle_minutes: s.staff.idle_minutes,
        max_failures: s.staff.max_failures,
        failure_window_minutes: s.staff.failure_window_minutes,
    }
}

/// `[rate_limit]` as the web side takes it.
pub fn rate_limits(s: &Settings) -> RateLimitSettings {
    RateLimitSettings {
        enabled: s.rate_limit.enabled,
        per_minute: s.rate_limit.per_minute,
        burst: s.rate_limit.burst,
        trust_forwarded_for: s.rate_limit.trust_forwarded_for,
        shared: s.rate_limit.shared == SharedLimit::Auto
            && Engine::from_url(s.database.url.expose_secret()) == Engine::Postgres,
    }
}

/// `[outbox]`'s retry rule.
pub fn retry_policy(s: &Settings) -> RetryPolicy {
    RetryPolicy {
        max_attempts: s.outbox.max_attempts,
        retry_base_secs: s.outbox.retry_base_secs,
        retry_max_secs: s.outbox.retry_max_secs,
    }
}

/// What the sweep keeps, and for how long: `staff.failure_window_minutes`,
/// `outbox.retention_days`.
pub fn sweep_policy(s: &Settings) -> SweepPolicy {
    SweepPolicy {
        failure_window_minutes: s.staff.failure_window_minutes,
        outbox_retention_days: s.outbox.retention_days,
    }
}

/// `[server]` as the web side takes it.
pub fn server_config(s: &Settings) -> ServerConfig {
    ServerConfig {
        workers: s.server.workers,
        body_limit_bytes: s.server.body_limit_bytes,
        shutdown_timeout_secs: s.server.shutdown_timeout_secs,
    }
}

/// The sender of couples' mail, `mail.from`.
pub fn mail_from(s: &Settings) -> Result<Mailbox, String> {
    s.mail
        .from
        .parse()
        .map_err(|e| format!("key `mail.from`: {e}"))
}

/// What start-up has already read and checked, once, before the context is built.
pub struct Parsed {
    pub policy: hunyin_domain::Policy,
    pub partners: Arc<Partners>,
    pub scheduling: hunyin_app::scheduling::Scheduling,
    pub mail_from: Mailbox,
    pub oidc: OidcConfig,
}

/// The application's context over an open pool.
pub fn context(
    s: &Settings,
    pool: hunyin_store::Pool,
    engine: &'static str,
    parsed: Parsed,
) -> AppContext {
    let Parsed {
        policy,
        partners,
        scheduling,
        mail_from,
        oidc,
    } = parsed;
    let verifier: Arc<dyn HouseholdVerifier> = if partners.directory.peers.is_empty() {
        Arc::new(NoPartners)
    } else {
        Arc::new(PartnerVerifier::new(partners.clone(), guard_config(s)))
    };
    AppContext {
        pool,
        engine,
        policy,
        region_prefix: s.instance.region_prefix.clone(),
        scheduling,
        mail_from,
        reminder_hours: s.mail.reminder_hours_before,
        staff: staff_policy(s),
        checks_max_age_minutes: s.checks.max_age_minutes,
        verifier,
        partners,
        identity: identity(s),
        hashing: hunyin_app::hash_gate::HashGate::per_core(),
        divorce_reminder_days: s.divorce.reminder_days_before_close,
        clock: hunyin_app::clock::Clock::default(),
        oidc: Arc::new(Oidc::new(oidc)),
    }
}

/// `[identity]` and the confirmation settings of `[booking]`.
pub fn identity(s: &Settings) -> hunyin_app::booking::Identity {
    use crate::configuration::IdentityModeSetting;
    use hunyin_app::booking::IdentityMode;
    hunyin_app::booking::Identity {
        mode: match s.identity.mode {
            IdentityModeSetting::Contact => IdentityMode::Contact,
            IdentityModeSetting::Oidc => IdentityMode::Oidc,
        },
        confirm_minutes: s.booking.confirm_minutes,
        holds_per_contact: s.booking.holds_per_contact,
        confirm_url: s.booking.confirm_url.trim().to_owned(),
    }
}

/// The confirmation settings of `[booking]`, checked.
pub fn check_identity(b: &crate::configuration::BookingSettings) -> Result<(), String> {
    if b.confirm_minutes == 0 || b.holds_per_contact == 0 {
        return Err(
            "key `booking`: confirm_minutes and holds_per_contact must be at least 1".into(),
        );
    }
    if b.confirm_url.contains('#') || b.confirm_url.trim().is_empty() {
        return Err(
            "key `booking.confirm_url`: a URL without a fragment (the link's secret goes there)"
                .into(),
        );
    }
    Ok(())
}

/// `[identity.oidc]` as the citizen sign-in takes it: the client secret from the setting or
/// from its file.
pub fn oidc_config(s: &Settings) -> Result<OidcConfig, String> {
    let o = &s.identity.oidc;
    let client_secret = if o.client_secret_file.trim().is_empty() {
        o.client_secret.expose_secret().to_owned()
    } else {
        let file = o.client_secret_file.trim();
        std::fs::read_to_string(file)
            .map_err(|e| {
                format!("key `identity.oidc.client_secret_file`: cannot read {file}: {e}")
            })?
            .trim()
            .to_owned()
    };
    Ok(OidcConfig {
        issuer: o.issuer.trim().to_owned(),
        client_id: o.client_id.clone(),
        client_secret,
        redirect_url: o.redirect_url.clone(),
        scopes: o.scopes.clone(),
        name_claim: o.name_claim.clone(),
        id_number_claim: o.id_number_claim.clone(),
        session_minutes: o.session_minutes,
        sign_in_minutes: o.sign_in_minutes,
        cookie_secure: o.cookie_secure,
        timeout_ms: o.timeout_ms,
        post_logout_redirect_url: o.post_logout_redirect_url.clone(),
    })
}

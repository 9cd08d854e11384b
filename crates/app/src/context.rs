//! What the use cases may reach, built once at start by the binary. No HTTP here: the web side
//! keeps its own state (metrics, limits, caches) beside this.

use std::sync::Arc;

use hunyin_domain::Policy;
use hunyin_partner::Partners;
use hunyin_store::Pool;
use lettre::message::Mailbox;

use crate::scheduling::Scheduling;
use crate::verification::HouseholdVerifier;

/// Session lifetime and sign-in throttling of staff accounts.
#[derive(Debug, Clone, Copy)]
pub struct StaffPolicy {
    pub session_hours: u32,
    /// Minutes without a request after which a session ends (0: none).
    pub idle_minutes: u32,
    pub max_failures: u32,
    pub failure_window_minutes: u32,
}

/// The application: its database, its rules and its partners.
pub struct AppContext {
    pub pool: Pool,
    /// "postgresql" or "sqlite".
    pub engine: &'static str,
    /// The jurisdiction timeline.
    pub policy: Policy,
    /// GB/T 2260 prefix of this instance's region.
    pub region_prefix: String,
    /// Booking window, default weekly rule, holidays and special openings.
    pub scheduling: Scheduling,
    /// Sender of couples' mail.
    pub mail_from: Mailbox,
    /// Hours before an appointment its reminder goes out (0: none).
    pub reminder_hours: u32,
    /// Session lifetime and sign-in throttling.
    pub staff: StaffPolicy,
    /// Minutes a household check counts for registration (`checks.max_age_minutes`).
    pub checks_max_age_minutes: u32,
    /// Household checks of parties from other regions.
    pub verifier: Arc<dyn HouseholdVerifier>,
    /// Our signing identity and the partner directory.
    pub partners: Arc<Partners>,
    /// How couples are identified (`identity.mode`) and the holds of `contact` mode.
    pub identity: crate::booking::Identity,
    /// At most this many password hashes at once.
    pub hashing: crate::hash_gate::HashGate,
    /// Days before a divorce's issue window closes that its reminder goes out
    /// (`divorce.reminder_days_before_close`).
    pub divorce_reminder_days: u32,
    /// The day the divorce counter counts from (the system clock unless a test moved it).
    pub clock: crate::clock::Clock,
    /// The citizens' OpenID Connect provider (`[identity.oidc]`).
    pub oidc: Arc<crate::citizen::oidc::Oidc>,
}

impl AppContext {
    /// A connection from the pool (503 `database_unavailable` when none can be had in time).
    pub fn conn(&self) -> Result<hunyin_store::PooledConn, crate::AppError> {
        Ok(hunyin_store::get(&self.pool)?)
    }
}

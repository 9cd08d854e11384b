//! The outbox worker: runs inside the server process, claims due messages, delivers them, and
//! retries failures with exponential backoff. Delivery is at least once; receivers are
//! idempotent (a calendar client keys invitations on UID and SEQUENCE).

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};

use crate::configuration::OutboxSettings;
use crate::db::{self, outbox, DbError};
use crate::mail::{self, Email, Mailer};
use crate::startup::AppState;

/// Kind of a pre-rendered message.
pub const EMAIL: &str = "email";
/// Kind of a reminder, rendered when due from the appointment as it is then.
pub const REMINDER: &str = "reminder";

/// Payload of a reminder: which appointment, at which version.
#[derive(Debug, Serialize, Deserialize)]
pub struct Reminder {
    pub reference: String,
    pub sequence: i32,
}

/// Delivers the outbox.
pub struct Worker {
    pub state: web::Data<AppState>,
    pub mailer: Mailer,
    pub from: Mailbox,
    pub settings: OutboxSettings,
    /// HTTP agent for partner notifications.
    pub agent: ureq::Agent,
}

/// Delay before retry number `attempts` (1-based): base * 2^(attempts-1), capped.
pub fn backoff(settings: &OutboxSettings, attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let secs = settings
        .retry_base_secs
        .saturating_mul(2u64.saturating_pow(exp))
        .min(settings.retry_max_secs);
    Duration::from_secs(secs)
}

impl Worker {
    /// Polls until the runtime stops. Rounds that found work are followed at once by another.
    pub async fn run(self: Arc<Self>) {
        let idle = Duration::from_millis(self.settings.poll_interval_ms);
        loop {
            let worker = self.clone();
            match tokio::task::spawn_blocking(move || worker.round()).await {
                Ok(Ok(n)) if n > 0 => continue,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "outbox round failed"),
                Err(e) => tracing::error!(error = %e, "outbox round panicked"),
            }
            tokio::time::sleep(idle).await;
        }
    }

    /// One round: claim, deliver, settle. Returns how many messages it handled.
    pub fn round(&self) -> Result<usize, DbError> {
        let mut conn = db::get(&self.state.pool)?;
        let now = crate::clock::now();
        let lease = chrono::Duration::seconds(self.settings.lease_secs as i64);
        let batch = outbox::claim(&mut conn, now, lease, self.settings.batch_size)?;
        for m in &batch {
            match self.deliver(&mut conn, &m.kind, &m.payload) {
                Ok(()) => {
                    outbox::delivered(&mut conn, m.id)?;
                    self.state.metrics.outbox_outcome(&m.kind, true, false);
                    tracing::info!(outbox_id = m.id, kind = %m.kind, "outbox message delivered");
                }
                Err(e) => {
                    let attempts = m.attempts + 1;
                    let give_up = attempts >= self.settings.max_attempts;
                    let delay = backoff(&self.settings, attempts);
                    let retry_at = crate::clock::now()
                        + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
                    outbox::attempt_failed(&mut conn, m.id, &e, retry_at, give_up)?;
                    self.state.metrics.outbox_outcome(&m.kind, false, give_up);
                    tracing::warn!(
                        outbox_id = m.id,
                        kind = %m.kind,
                        attempts,
                        give_up,
                        retry_in_secs = delay.as_secs(),
                        error = %e,
                        "outbox delivery failed"
                    );
                }
            }
        }
        self.state
            .metrics
            .outbox_pending(outbox::pending(&mut conn)?);
        Ok(batch.len())
    }

    fn deliver(&self, conn: &mut db::DbConn, kind: &str, payload: &str) -> Result<(), String> {
        let email = match kind {
            EMAIL => serde_json::from_str::<Email>(payload).map_err(|e| e.to_string())?,
            REMINDER => {
                let r: Reminder = serde_json::from_str(payload).map_err(|e| e.to_string())?;
                let rules = crate::booking::Rules::of(&self.state);
                match crate::booking::reminder(conn, &rules, &r).map_err(|e| e.to_string())? {
                    Some(email) => email,
                    // Rescheduled or cancelled since: this reminder is obsolete.
                    None => return Ok(()),
                }
            }
            crate::partner::notifications::KIND => {
                return crate::partner::notifications::deliver(
                    conn,
                    &self.state.partners,
                    &self.agent,
                    payload,
                )
            }
            other => return Err(format!("unknown outbox kind {other:?}")),
        };
        let message = mail::to_message(&email, &self.from)?;
        self.mailer.send(&message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let s = OutboxSettings {
            poll_interval_ms: 1000,
            batch_size: 10,
            lease_secs: 60,
            max_attempts: 12,
            retry_base_secs: 5,
            retry_max_secs: 3600,
        };
        let secs: Vec<u64> = (1..=12).map(|a| backoff(&s, a).as_secs()).collect();
        assert_eq!(&secs[..5], &[5, 10, 20, 40, 80]);
        assert_eq!(secs[11], 3600);
    }
}

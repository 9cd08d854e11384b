//! The outbox worker: runs inside the server process, claims due messages with a lease,
//! renews the lease of each before delivering it (a slow batch never outlives it, so no
//! message is delivered twice for being slow), delivers each (`hunyin_app::outbox::deliver`), and settles it: delivered, or retried with
//! exponential backoff until it is set aside as failed.

use std::sync::Arc;
use std::time::Duration;

use hunyin_app::mail::Mailer;
use hunyin_app::outbox::{backoff, deliver, RetryPolicy};
use hunyin_app::AppContext;
use hunyin_http::metrics::Metrics;
use hunyin_store::{outbox, DbError};

/// How the worker polls: `[outbox]`.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    pub poll_interval_ms: u64,
    pub batch_size: i64,
    pub lease_secs: u64,
}

/// Delivers the outbox.
pub struct OutboxWorker {
    pub app: Arc<AppContext>,
    pub metrics: Metrics,
    pub mailer: Mailer,
    pub polling: Polling,
    pub retry: RetryPolicy,
    /// HTTP agent for partner notifications.
    pub agent: ureq::Agent,
}

impl OutboxWorker {
    /// Polls until the runtime stops. Rounds that found work are followed at once by another.
    pub async fn run(self: Arc<Self>) {
        let idle = Duration::from_millis(self.polling.poll_interval_ms);
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
        let mut conn = hunyin_store::get(&self.app.pool)?;
        let now = hunyin_app::clock::now();
        let lease = chrono::Duration::seconds(self.polling.lease_secs as i64);
        let batch = outbox::claim(&mut conn, now, lease, self.polling.batch_size)?;
        let held = now + lease;
        for m in &batch {
            // The batch may have taken longer than the lease: deliver only what is still ours,
            // with a fresh lease that outlasts one delivery (checked at start).
            let renewed = hunyin_store::write_one(&mut conn, |c| {
                outbox::renew(c, m.id, held, hunyin_app::clock::now(), lease)
            })?;
            if renewed.is_none() {
                tracing::info!(outbox_id = m.id, "outbox lease lost; another worker has it");
                continue;
            }
            let result = deliver(
                &self.app,
                &self.mailer,
                &self.agent,
                &mut conn,
                &m.kind,
                &m.payload,
            );
            match result {
                Ok(()) => {
                    hunyin_store::write_one(&mut conn, |c| {
                        outbox::delivered(c, m.id, hunyin_app::clock::now())
                    })?;
                    self.metrics.outbox_outcome(&m.kind, true, false);
                    tracing::info!(outbox_id = m.id, kind = %m.kind, "outbox message delivered");
                }
                Err(e) => {
                    let attempts = m.attempts + 1;
                    let give_up = attempts >= self.retry.max_attempts;
                    let delay = backoff(&self.retry, attempts);
                    let now = hunyin_app::clock::now();
                    let retry_at = now
                        + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
                    hunyin_store::write_one(&mut conn, |c| {
                        outbox::attempt_failed(c, m.id, &e, retry_at, give_up, now)
                    })?;
                    self.metrics.outbox_outcome(&m.kind, false, give_up);
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
        self.metrics.outbox_pending(outbox::pending(&mut conn)?);
        Ok(batch.len())
    }
}

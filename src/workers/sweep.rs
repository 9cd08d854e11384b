//! The sweep, run periodically: one round of `hunyin_app::sweep::run` (no-shows, nonces,
//! sessions, sign-in failures, outbox retention, idle shared rate-limit keys), its counts logged when it did anything.

use std::sync::Arc;
use std::time::Duration;

use hunyin_app::sweep::{SweepPolicy, SweepReport};
use hunyin_app::{AppContext, AppError};

/// Runs the sweep every `every` until the runtime stops.
pub async fn sweep_loop(app: Arc<AppContext>, policy: SweepPolicy, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let ctx = app.clone();
        let swept = tokio::task::spawn_blocking(move || -> Result<SweepReport, AppError> {
            let mut conn = ctx.conn()?;
            hunyin_app::sweep::run(&mut conn, &policy, hunyin_app::clock::now())
        })
        .await;
        match swept {
            Ok(Ok(r)) if r.is_empty() => {}
            Ok(Ok(r)) => tracing::info!(
                no_shows = r.no_shows,
                holds_lapsed = r.holds_lapsed,
                nonces = r.nonces,
                sessions = r.sessions,
                sign_in_failures = r.sign_in_failures,
                outbox_redacted = r.outbox_redacted,
                rate_limit_keys = r.rate_limit_keys,
                "swept"
            ),
            Ok(Err(e)) => tracing::warn!(error = %e, "sweep failed"),
            Err(e) => tracing::error!(error = %e, "sweep panicked"),
        }
    }
}

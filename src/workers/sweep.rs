//! The sweep, run periodically: one round of `hunyin_app::sweep::run` (no-shows, nonces,
//! sessions, sign-in failures, outbox retention, idle shared rate-limit keys), the lapse of
//! divorce applications past their issue window (视为撤回) and the reminders of that window, its
//! counts logged when it did anything; then the statistics' daily rollup catches up with the
//! days that are over (at most a month of days a round, so that a round stays short).

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
            // Divorce applications lapse by the day of the instance's clock (a test moves it;
            // nothing else of the round does).
            let lapsed =
                hunyin_app::divorce::lapse_due(&mut conn, ctx.clock.today(), ctx.clock.now())?;
            // Its reminders are due by that day too, and queued at the real time (the outbox
            // worker reads that).
            let reminded = hunyin_app::divorce::remind_due(
                &mut conn,
                ctx.clock.today(),
                hunyin_app::clock::now(),
                ctx.divorce_reminder_days,
            )?;
            let mut r = hunyin_app::sweep::run(&mut conn, &policy, hunyin_app::clock::now())?;
            r.divorces_lapsed = lapsed;
            r.divorces_reminded = reminded;
            let today = hunyin_app::clock::today();
            let built = hunyin_app::statistics::catch_up(&mut conn, &ctx.region_prefix, today, 31)?;
            if built > 0 {
                tracing::info!(days = built, "statistics rollup built");
            }
            Ok(r)
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
                divorces_lapsed = r.divorces_lapsed,
                divorces_reminded = r.divorces_reminded,
                "swept"
            ),
            Ok(Err(e)) => tracing::warn!(error = %e, "sweep failed"),
            Err(e) => tracing::error!(error = %e, "sweep panicked"),
        }
    }
}

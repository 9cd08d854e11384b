//! The sweep, run periodically: no-shows, and partner nonces that can no longer be accepted.

use std::sync::Arc;
use std::time::Duration;

use hunyin_app::{AppContext, AppError};

/// Runs the sweep every `every` until the runtime stops.
pub async fn sweep_loop(app: Arc<AppContext>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let ctx = app.clone();
        let swept = tokio::task::spawn_blocking(move || -> Result<usize, AppError> {
            let mut conn = ctx.conn()?;
            hunyin_app::rate_limits::sweep(&mut conn, hunyin_app::clock::now());
            hunyin_app::booking::sweep(&mut conn, hunyin_app::clock::now())
        })
        .await;
        match swept {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(appointments = n, "no-shows swept"),
            Ok(Err(e)) => tracing::warn!(error = %e, "no-show sweep failed"),
            Err(e) => tracing::error!(error = %e, "no-show sweep panicked"),
        }
    }
}

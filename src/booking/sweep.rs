//! The no-show sweep: appointments whose slot ended without check-in.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::db::{self, appointments, DbConn};
use crate::errors::ApiError;

/// Marks `booked` appointments whose slot ended before `now` (UTC) as `no_show`, freeing both
/// persons; returns how many.
pub fn sweep_no_shows(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize, ApiError> {
    use crate::schema::{appointments as a, slots as s};
    use diesel::prelude::*;
    db::write_tx(conn, |c| -> Result<usize, ApiError> {
        let due: Vec<(i64, String)> = a::table
            .inner_join(s::table.on(a::slot_id.eq(s::id.nullable())))
            .filter(a::status.eq("booked"))
            .filter(s::ends_at.lt(now))
            .select((a::id, a::office_id))
            .load(c)?;
        for (id, office) in &due {
            appointments::set_status(c, *id, "no_show", false)?;
            crate::audit::record(
                c,
                crate::audit::Event {
                    actor_kind: "system",
                    actor_role: None,
                    request_id: None,
                    actor_id: None,
                    office_id: Some(office),
                    action: "appointment.no_show",
                    subject_kind: Some("appointment"),
                    subject_id: Some(&id.to_string()),
                    details: json!({}),
                },
            )?;
        }
        Ok(due.len())
    })
}

/// Runs the no-show sweep every `every` until the runtime stops.
pub async fn sweep_loop(
    state: actix_web::web::Data<crate::startup::AppState>,
    every: std::time::Duration,
) {
    loop {
        tokio::time::sleep(every).await;
        let st = state.clone();
        let swept = tokio::task::spawn_blocking(move || -> Result<usize, ApiError> {
            let mut conn = db::get(&st.pool)?;
            let now = crate::clock::now();
            // Nonces of partner signatures that can no longer be accepted anyway.
            db::partner::purge_nonces(&mut conn, now)?;
            sweep_no_shows(&mut conn, now)
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

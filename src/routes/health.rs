//! Operations endpoints: liveness, readiness, metrics.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::db;
use crate::errors::ApiError;
use crate::startup::AppState;

/// `GET /healthz`: the process is alive and answering. Touches nothing else.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `GET /readyz`: the database answers and its schema is at this build's latest migration;
/// otherwise 503 `database_unavailable` or `migrations_pending`.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let engine = state.engine;
    let pending = web::block(move || -> Result<bool, ApiError> {
        let mut conn = db::get(&pool)?;
        db::migrations::has_pending(&mut conn).map_err(|e| {
            tracing::warn!(error = %e, "readiness check could not read migrations");
            ApiError::database_unavailable()
        })
    })
    .await??;
    if pending {
        return Err(ApiError::migrations_pending());
    }
    Ok(HttpResponse::Ok().json(json!({"status": "ready", "database": engine})))
}

/// `GET /metrics`: Prometheus text exposition format.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.pool))
}

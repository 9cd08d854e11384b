//! Operations endpoints: liveness, readiness, metrics.

use actix_web::{web, HttpRequest, HttpResponse};
use hunyin_app::AppError;
use serde::Serialize;

use super::{ok, with_db};
use crate::problem::ApiError;
use crate::state::WebState;

/// The answer of `/healthz` and `/readyz`.
#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// `GET /healthz`: the process is alive and answering. Touches nothing else.
pub async fn healthz() -> HttpResponse {
    ok(Health {
        status: "ok",
        database: None,
    })
}

/// `GET /readyz`: the database answers and its schema is at this build's latest migration;
/// otherwise 503 `database_unavailable` or `migrations_pending`.
pub async fn readyz(state: web::Data<WebState>) -> Result<HttpResponse, ApiError> {
    let engine = state.engine;
    with_db(state, |c, _| hunyin_app::health::readiness(c)).await?;
    Ok(ok(Health {
        status: "ready",
        database: Some(engine),
    }))
}

/// Whether `given` equals `want`, in time that depends on the lengths only.
fn same_token(given: &[u8], want: &[u8]) -> bool {
    given.len() == want.len() && given.iter().zip(want).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
}

/// `GET /metrics`: Prometheus text exposition format; with `server.metrics_token` set, only
/// for `Authorization: Bearer <token>` (else 401 `unauthenticated`).
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<WebState>,
) -> Result<HttpResponse, ApiError> {
    if let Some(want) = &state.metrics_token {
        let given = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same_token(given.trim().as_bytes(), want.as_bytes()) {
            return Err(AppError::unauthenticated().into());
        }
    }
    let pool = state.pool.state();
    state.metrics.partner_circuits(&state.verifier.breakers());
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(
            state
                .metrics
                .render(pool.connections, pool.idle_connections),
        ))
}

//! Operations endpoints: liveness, readiness, metrics.

use actix_web::{web, HttpResponse};
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

/// `GET /metrics`: Prometheus text exposition format.
pub async fn metrics(state: web::Data<WebState>) -> HttpResponse {
    let pool = state.pool.state();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(
            state
                .metrics
                .render(pool.connections, pool.idle_connections),
        )
}

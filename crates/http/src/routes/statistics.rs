//! `GET /v1/registrar/statistics` (JSON, or CSV with `Accept: text/csv`) and its chart.

use actix_web::http::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::problem::ApiError;
use crate::routes::with_db;
use crate::staff::SignedIn;
use crate::state::WebState;
use hunyin_app::statistics::{self, Report, Request};

/// The query string.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub group_by: Option<String>,
}

async fn report(
    state: web::Data<WebState>,
    staff: hunyin_app::auth::Staff,
    r: Request,
) -> Result<Report, ApiError> {
    with_db(state, move |c, st| {
        statistics::compute(
            c,
            Some(&staff),
            &st.region_prefix,
            &st.partners.directory.regions(),
            r,
        )
    })
    .await
}

/// `GET /v1/registrar/statistics`
pub async fn get(
    req: HttpRequest,
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    q: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let r = Request::parse(q.from.as_deref(), q.to.as_deref(), q.group_by.as_deref())?;
    let report = report(state, staff, r).await?;
    let wants_csv = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"));
    if wants_csv {
        let file = format!(
            "attachment; filename=\"statistics-{}-{}.csv\"",
            r.from, r.to
        );
        return Ok(HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((CONTENT_DISPOSITION, file))
            .body(crate::statistics_render::csv(&report)?));
    }
    Ok(HttpResponse::Ok().json(report.view()))
}

/// `GET /v1/registrar/statistics/chart.svg`
pub async fn chart(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    q: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let r = Request::parse(q.from.as_deref(), q.to.as_deref(), Some("day"))?;
    let report = report(state, staff, r).await?;
    let svg = crate::statistics_render::chart_svg(r, &report)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .body(svg))
}

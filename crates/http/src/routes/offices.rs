//! `GET /v1/offices`, `GET /v1/offices/{office_id}`: the registration offices of this instance.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use hunyin_app::offices;

use super::{ok, with_db};
use crate::problem::ApiError;
use crate::state::WebState;

/// Query of the list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// GB/T 2260 prefix: 2, 4 or 6 digits.
    pub division_prefix: Option<String>,
}

/// `GET /v1/offices?division_prefix=3205`
pub async fn list(
    state: web::Data<WebState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let prefix = query.into_inner().division_prefix;
    let v = with_db(state, move |c, _| offices::list(c, prefix.as_deref())).await?;
    Ok(ok(v))
}

/// `GET /v1/offices/{office_id}`
pub async fn get(
    state: web::Data<WebState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    Ok(ok(with_db(state, move |c, _| offices::get(c, &id)).await?))
}

//! `GET /v1/offices`, `GET /v1/offices/{office_id}`: the registration offices of this instance.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::db::{self, offices};
use crate::domain::DivisionCode;
use crate::errors::{ApiError, InvalidParam};
use crate::startup::AppState;

/// An office as the API shows it.
#[derive(Debug, Serialize)]
pub struct OfficeView {
    pub id: String,
    pub name: String,
    pub division_code: String,
    pub division_name: &'static str,
    pub address: String,
    pub phone: String,
}

impl From<offices::Office> for OfficeView {
    fn from(o: offices::Office) -> Self {
        let division_name = DivisionCode::parse(&o.division_code)
            .map(|c| c.name())
            .unwrap_or("");
        OfficeView {
            id: o.id,
            name: o.name,
            division_code: o.division_code,
            division_name,
            address: o.address,
            phone: o.phone,
        }
    }
}

/// Query of the list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// GB/T 2260 prefix: 2, 4 or 6 digits.
    pub division_prefix: Option<String>,
}

/// `GET /v1/offices?division_prefix=3205`
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let prefix = query.into_inner().division_prefix;
    if let Some(p) = &prefix {
        let ok = matches!(p.len(), 2 | 4 | 6) && p.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(ApiError::invalid(vec![InvalidParam::new(
                "division_prefix",
                "invalid_division_prefix",
                "a GB/T 2260 prefix of 2, 4 or 6 digits",
            )]));
        }
    }
    let pool = state.pool.clone();
    let found = web::block(move || -> Result<_, ApiError> {
        let mut conn = db::get(&pool)?;
        Ok(offices::list(&mut conn, prefix.as_deref())?)
    })
    .await??;
    let views: Vec<OfficeView> = found.into_iter().map(OfficeView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "offices": views })))
}

/// `GET /v1/offices/{office_id}`
pub async fn get(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let pool = state.pool.clone();
    let found = web::block(move || -> Result<_, ApiError> {
        let mut conn = db::get(&pool)?;
        Ok(offices::find(&mut conn, &id)?)
    })
    .await??;
    match found {
        Some(o) => Ok(HttpResponse::Ok().json(OfficeView::from(o))),
        None => Err(ApiError::not_found("The office")
            .with_detail("No office has this id.", "没有此编号的婚姻登记处。")),
    }
}

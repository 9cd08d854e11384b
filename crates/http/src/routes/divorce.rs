//! `GET /v1/divorce/periods?received_on=YYYY-MM-DD`: the cooling-off and the issue window of a
//! divorce application received on a date (民法典 第1077条, 第201条, 第203条 over the holiday
//! calendar). Public and read-only: it computes from the date alone and touches no database.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use hunyin_app::{divorce, InvalidParam};

use super::ok;
use crate::problem::ApiError;
use crate::state::WebState;

/// Query of the calculator.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodsQuery {
    pub received_on: Option<String>,
}

/// `GET /v1/divorce/periods`
pub async fn periods(
    state: web::Data<WebState>,
    query: web::Query<PeriodsQuery>,
) -> Result<HttpResponse, ApiError> {
    let Some(raw) = query.received_on.as_deref() else {
        return Err(ApiError::invalid(vec![InvalidParam::new(
            "received_on",
            "missing_field",
            "the day the office received the application, YYYY-MM-DD",
        )]));
    };
    let received_on = hunyin_app::clock::parse_date(raw).ok_or_else(|| {
        ApiError::invalid(vec![InvalidParam::new(
            "received_on",
            "invalid_date",
            "a date YYYY-MM-DD",
        )])
    })?;
    let view = divorce::periods(&state.scheduling.calendar, received_on)?;
    Ok(ok(view))
}

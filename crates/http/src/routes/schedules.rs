//! A supervisor's weekly opening rule of their office.

use actix_web::{web, HttpResponse};

use hunyin_app::schedules::{self, RuleBody};

use super::{ok, with_db};
use crate::extract::Json;
use crate::problem::ApiError;
use crate::staff::SignedIn;
use crate::state::WebState;

/// `GET /v1/registrar/offices/{office_id}/schedule`: staff of that office.
pub async fn get(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    let v = with_db(state, move |c, st| {
        schedules::get(c, &staff, &st.scheduling.default_rule, &office_id)
    })
    .await?;
    Ok(ok(v))
}

/// `PUT /v1/registrar/offices/{office_id}/schedule`: the office's supervisor sets the weekly
/// rule. Slots already booked keep their seats; new slots follow the rule.
pub async fn put(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<RuleBody>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    let b = body.0;
    let listings = state.clone();
    let v = with_db(state, move |c, _| schedules::put(c, &staff, &office_id, &b)).await?;
    listings.listings.clear();
    Ok(ok(v))
}

//! A supervisor manages the staff of their office: list, create registrars and auditors,
//! disable an account (its sessions end at once).

use actix_web::{web, HttpResponse};

use hunyin_app::staff_accounts::{self, NewAccount};

use super::{created, ok, with_db};
use crate::extract::Json;
use crate::problem::ApiError;
use crate::staff::SignedIn;
use crate::state::WebState;

/// `GET /v1/registrar/offices/{office_id}/staff`: supervisors and auditors of the office.
pub async fn list(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    let v = with_db(state, move |c, _| {
        staff_accounts::list(c, &staff, &office_id)
    })
    .await?;
    Ok(ok(v))
}

/// `POST /v1/registrar/offices/{office_id}/staff`: a supervisor creates a registrar or an
/// auditor of their office (supervisors are created on the command line).
pub async fn create(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<NewAccount>,
) -> Result<HttpResponse, ApiError> {
    let office_id = path.into_inner();
    let b = body.0;
    let v = with_db(state, move |c, _| {
        staff_accounts::create(c, &staff, &office_id, &b)
    })
    .await?;
    Ok(created(v))
}

/// `POST /v1/registrar/staff/{staff_id}/disable`: a supervisor disables an account of their
/// office (not their own); its tokens stop working at once.
pub async fn disable(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    Ok(ok(with_db(state, move |c, _| {
        staff_accounts::disable(c, &staff, id)
    })
    .await?))
}

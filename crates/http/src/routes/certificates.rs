//! Registrar routes for certificates and the audit trail.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::extract::Json;
use crate::problem::ApiError;
use crate::routes::with_db;
use crate::staff::SignedIn;
use crate::state::WebState;

/// `GET /v1/registrar/certificates/{number}?purpose=…&note=…`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupQuery {
    pub purpose: Option<String>,
    pub note: Option<String>,
}

/// `GET /v1/registrar/certificates/{number}`
pub async fn lookup(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    q: web::Query<LookupQuery>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let LookupQuery { purpose, note } = q.into_inner();
    let stated = hunyin_app::certificates::LookupPurpose { purpose, note };
    let v = with_db(state, move |c, _| {
        hunyin_app::certificates::lookup(c, &staff, &number, &stated)
    })
    .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// `POST …/reissue` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReissueBody {
    pub note: String,
}

/// `POST /v1/registrar/certificates/{number}/reissue`
pub async fn reissue(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<ReissueBody>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let note = body.0.note;
    let v = with_db(state, move |c, st| {
        hunyin_app::certificates::reissue(c, &staff, &st.partners.directory, &number, &note)
    })
    .await?;
    Ok(HttpResponse::Created().json(v))
}

/// `POST …/revocation` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationBody {
    pub basis: String,
    pub document_reference: String,
}

/// `POST /v1/registrar/certificates/{number}/revocation`
pub async fn revoke(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    path: web::Path<String>,
    body: Json<RevocationBody>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let b = body.0;
    let v = with_db(state, move |c, st| {
        hunyin_app::certificates::revoke(
            c,
            &staff,
            &st.partners.directory,
            &number,
            &b.basis,
            &b.document_reference,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// `POST /v1/registrar/audit-events/search`
pub async fn audit_search(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
    body: Json<hunyin_app::audit::AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = body.0;
    let v = with_db(state, move |c, _| hunyin_app::audit::search(c, &staff, &q)).await?;
    Ok(HttpResponse::Ok().json(v))
}

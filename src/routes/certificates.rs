//! Registrar routes for certificates and the audit trail.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::Staff;
use crate::errors::ApiError;
use crate::extract::Json;
use crate::routes::with_db;
use crate::startup::AppState;

/// `GET /v1/registrar/certificates/{number}`
pub async fn lookup(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let v = with_db(state, move |c, _| {
        crate::certificates::lookup(c, &staff, &number)
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
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    body: Json<ReissueBody>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let note = body.0.note;
    let v = with_db(state, move |c, st| {
        crate::certificates::reissue(c, &staff, &st.partners.directory, &number, &note)
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
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    body: Json<RevocationBody>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let b = body.0;
    let v = with_db(state, move |c, st| {
        crate::certificates::revoke(
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

/// `POST /v1/registrar/audit-events/search` body (POST: an ID number never goes in a URL).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSearch {
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub actor_id: Option<i64>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

/// `POST /v1/registrar/audit-events/search`: auditors and supervisors, their own office.
pub async fn audit_search(
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<AuditSearch>,
) -> Result<HttpResponse, ApiError> {
    let q = body.0;
    let v = with_db(state, move |c, _| crate::audit::search(c, &staff, &q)).await?;
    Ok(HttpResponse::Ok().json(v))
}

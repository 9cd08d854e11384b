//! Registrar sign-in and sign-out.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::{self, Staff};
use crate::db;
use crate::errors::{ApiError, InvalidParam};
use crate::extract::Json;
use crate::startup::AppState;

/// `POST /v1/registrar/sessions` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// `POST /v1/registrar/sessions`: a bearer token for the staff member (returned once).
pub async fn sign_in(
    state: web::Data<AppState>,
    body: Json<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let SignIn { username, password } = body.0;
    let mut errors = Vec::new();
    if username.trim().is_empty() || username.len() > 64 {
        errors.push(InvalidParam::new(
            "username",
            "invalid_username",
            "1-64 characters",
        ));
    }
    if password.is_empty() || password.len() > 256 {
        errors.push(InvalidParam::new(
            "password",
            "invalid_password",
            "1-256 characters",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let st = state.clone();
    let session = web::block(move || -> Result<_, ApiError> {
        let mut conn = db::get(&st.pool)?;
        auth::sign_in(&mut conn, &st.staff, username.trim(), &password)
    })
    .await??;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({
            "token": session.token,
            "token_type": "Bearer",
            "expires_at": crate::clock::rfc3339_utc(session.expires_at),
            "staff": session.staff,
        })))
}

/// `DELETE /v1/registrar/sessions/current`: revokes the token of this request.
pub async fn sign_out(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    web::block(move || -> Result<(), ApiError> {
        let mut conn = db::get(&st.pool)?;
        db::staff::revoke_session(&mut conn, &staff.token_hash, crate::clock::now())?;
        Ok(())
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /v1/registrar/me`: who the token belongs to.
pub async fn me(staff: Staff) -> HttpResponse {
    HttpResponse::Ok().json(staff)
}

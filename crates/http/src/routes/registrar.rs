//! Registrar sign-in and sign-out.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use hunyin_app::auth;

use super::{private, with_db};
use crate::extract::Json;
use crate::problem::ApiError;
use crate::staff::SignedIn;
use crate::state::WebState;

/// `POST /v1/registrar/sessions` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// `POST /v1/registrar/sessions`: a bearer token for the staff member (returned once).
pub async fn sign_in(
    state: web::Data<WebState>,
    http: HttpRequest,
    body: Json<SignIn>,
) -> Result<HttpResponse, ApiError> {
    crate::ratelimit::limit(&state, &http, "sign_in").await?;
    let SignIn { username, password } = body.0;
    auth::check_credentials(&username, &password)?;
    // Not `with_db`: the use case takes connections only around its reads and writes, never
    // while the password is hashed.
    let session = web::block(move || auth::sign_in(&state, &username, &password)).await??;
    Ok(private(StatusCode::CREATED, session))
}

/// `DELETE /v1/registrar/sessions/current`: revokes the token of this request.
pub async fn sign_out(
    state: web::Data<WebState>,
    SignedIn(staff): SignedIn,
) -> Result<HttpResponse, ApiError> {
    with_db(state, move |c, _| auth::sign_out(c, &staff)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /v1/registrar/me`: who the token belongs to.
pub async fn me(SignedIn(staff): SignedIn) -> HttpResponse {
    HttpResponse::Ok().json(staff)
}

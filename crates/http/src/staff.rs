//! The `Staff` extractor every registrar route takes: the bearer token of a session opened at
//! `POST /v1/registrar/sessions`.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use hunyin_app::auth::{self, Staff};
use hunyin_app::{tokens, AppError};

use crate::middleware::RequestId;
use crate::problem::ApiError;
use crate::state::WebState;

/// The signed-in staff member of a request.
pub struct SignedIn(pub Staff);

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<SignedIn, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<WebState>>().cloned();
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        Box::pin(async move {
            let token = token.ok_or_else(auth::unauthenticated)?;
            let state = state.ok_or_else(|| AppError::internal("no application state"))?;
            let token_hash = tokens::hash(&token);
            let staff = web::block(move || -> Result<Staff, AppError> {
                let mut conn = state.conn()?;
                let idle = state.staff.idle_minutes;
                auth::by_session(
                    &mut conn,
                    token_hash,
                    request_id,
                    hunyin_app::clock::now(),
                    idle,
                )
            })
            .await??;
            Ok(SignedIn(staff))
        })
    }
}

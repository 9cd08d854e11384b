//! The `Citizen` extractor citizen routes take (the session cookie of a sign-in at
//! `GET /v1/citizen/callback`), and the cookies of the sign-in flow.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use hunyin_app::citizen::{self, Citizen};
use hunyin_app::{tokens, AppError};

use crate::middleware::RequestId;
use crate::problem::ApiError;
use crate::state::WebState;

/// The session cookie of a signed-in citizen.
pub const SESSION_COOKIE: &str = "hunyin_citizen";
/// The cookie that finds a sign-in in progress again at the callback.
pub const FLOW_COOKIE: &str = "hunyin_sign_in";

/// The value of the cookie `name` sent with `req` (hex tokens only: anything else is ignored).
pub fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    cookie_value(req, name)
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The raw value of the cookie `name` sent with `req`, trimmed; each caller checks its shape.
pub fn cookie_value(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, `Secure` when configured, for `path`;
/// `max_age` 0 removes the cookie.
pub fn set_cookie(name: &str, value: &str, path: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// The signed-in citizen of a request; 401 `unauthenticated` without a live session cookie.
pub struct SignedInCitizen(pub Citizen);

impl FromRequest for SignedInCitizen {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<SignedInCitizen, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let token = cookie(req, SESSION_COOKIE);
        let state = req.app_data::<web::Data<WebState>>().cloned();
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        Box::pin(async move {
            let token = token.ok_or_else(AppError::citizen_unauthenticated)?;
            let state = state.ok_or_else(|| AppError::internal("no application state"))?;
            let token_hash = tokens::hash(&token);
            let found = web::block(move || -> Result<Citizen, AppError> {
                let mut conn = state.conn()?;
                citizen::by_session(&mut conn, &token_hash, request_id, hunyin_app::clock::now())
            })
            .await??;
            Ok(SignedInCitizen(found))
        })
    }
}

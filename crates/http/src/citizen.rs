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
/// The page a sign-in started from the pages returns to (a local path), sent only to the
/// callback: with it the callback answers 303 there instead of JSON.
pub const RETURN_COOKIE: &str = "hunyin_sign_in_back";
/// The path the sign-in flow's cookies are sent back to.
pub const FLOW_PATH: &str = "/v1/citizen";

/// `path` if it is a local page path a sign-in may return to: `/`, then letters, digits and
/// `/-_.` only (no `//`, no query, nothing a browser would read as another host).
pub fn return_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() < 200
        && !path.contains("..")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'));
    ok.then_some(path)
}

/// The citizen holding the live session cookie of `req`, if any (an unknown, expired or
/// revoked session is `None`).
pub async fn session_of(req: &HttpRequest) -> Result<Option<Citizen>, AppError> {
    let Some(token) = cookie(req, SESSION_COOKIE) else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<WebState>>()
        .cloned()
        .ok_or_else(|| AppError::internal("no application state"))?;
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let token_hash = tokens::hash(&token);
    let found = web::block(move || -> Result<Citizen, AppError> {
        let mut conn = state.conn()?;
        citizen::by_session(&mut conn, &token_hash, request_id, hunyin_app::clock::now())
    })
    .await
    .map_err(|_| AppError::internal("session lookup did not finish"))?;
    match found {
        Ok(c) => Ok(Some(c)),
        Err(e) if e.code == AppError::citizen_unauthenticated().code => Ok(None),
        Err(e) => Err(e),
    }
}

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
        let req = req.clone();
        Box::pin(async move {
            let found = session_of(&req)
                .await?
                .ok_or_else(AppError::citizen_unauthenticated)?;
            Ok(SignedInCitizen(found))
        })
    }
}

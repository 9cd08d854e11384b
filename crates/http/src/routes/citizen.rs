//! Citizens' sign-in at the OpenID Connect provider, their session, and sign-out.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use hunyin_app::citizen::{self, Callback};

use super::private;
use crate::citizen::{
    cookie, cookie_value, return_path, set_cookie, SignedInCitizen, FLOW_COOKIE, FLOW_PATH,
    RETURN_COOKIE, SESSION_COOKIE,
};
use crate::middleware::RequestId;
use crate::problem::ApiError;
use crate::state::WebState;
use actix_web::HttpMessage;

/// `GET /v1/citizen/sign-in`: 302 to the provider's authorization endpoint, with the cookie
/// that finds this sign-in again. The callback of a sign-in started here answers JSON.
pub async fn sign_in(
    state: web::Data<WebState>,
    http: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    start_sign_in(state, &http, None, StatusCode::FOUND).await
}

/// Starts a sign-in: `status` (302 for the API, 303 after a page's form) to the provider, with
/// the flow cookie; `back`, a page's path, makes the callback answer 303 there instead of JSON
/// (`None` removes a page's leftover return cookie).
pub async fn start_sign_in(
    state: web::Data<WebState>,
    http: &HttpRequest,
    back: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    // Each sign-in started writes a row: limited per address like the other public writes.
    crate::ratelimit::limit(&state, http, "citizen_sign_in").await?;
    let secure = state.oidc.config.cookie_secure;
    let start = web::block(move || citizen::begin_sign_in(&state)).await??;
    let flow = set_cookie(
        FLOW_COOKIE,
        &start.flow,
        FLOW_PATH,
        start.max_age_secs,
        secure,
    );
    let back = match back.and_then(return_path) {
        Some(p) => set_cookie(RETURN_COOKIE, p, FLOW_PATH, start.max_age_secs, secure),
        None => set_cookie(RETURN_COOKIE, "", FLOW_PATH, 0, secure),
    };
    Ok(HttpResponse::build(status)
        .insert_header((header::LOCATION, start.authorize_url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .append_header((header::SET_COOKIE, flow))
        .append_header((header::SET_COOKIE, back))
        .finish())
}

/// The query string the provider sends back.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// `GET /v1/citizen/callback`: checks what the provider sent, opens the session (cookie) and
/// answers who signed in, or, for a sign-in started from a page, 303 back to that page. The
/// sign-in in progress is used up whatever the outcome; its cookies are removed on success and
/// otherwise expire with it.
pub async fn callback(
    state: web::Data<WebState>,
    http: HttpRequest,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    crate::ratelimit::limit(&state, &http, "citizen_callback").await?;
    let secure = state.oidc.config.cookie_secure;
    let flow = cookie(&http, FLOW_COOKIE);
    let return_to =
        cookie_value(&http, RETURN_COOKIE).and_then(|p| return_path(&p).map(str::to_owned));
    let request_id = http.extensions().get::<RequestId>().map(|r| r.0.clone());
    let q = query.into_inner();
    let back = Callback {
        code: q.code,
        state: q.state,
        error: q.error,
    };
    let clear = [
        set_cookie(FLOW_COOKIE, "", FLOW_PATH, 0, secure),
        set_cookie(RETURN_COOKIE, "", FLOW_PATH, 0, secure),
    ];
    let done = web::block(move || {
        citizen::finish_sign_in(&state, flow.as_deref(), back, request_id.as_deref())
    })
    .await?;
    match done {
        Ok(signed_in) => {
            let mut resp = match return_to {
                Some(path) => HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, path))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish(),
                None => private(StatusCode::OK, signed_in.citizen),
            };
            let session = set_cookie(
                SESSION_COOKIE,
                &signed_in.token,
                "/",
                signed_in.max_age_secs,
                secure,
            );
            let [flow, back] = clear;
            for value in [flow, back, session] {
                if let Ok(v) = header::HeaderValue::from_str(&value) {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            Ok(resp)
        }
        // A page's sign-in that failed goes to the page telling so in words (its code is in
        // the log): refused, or the provider or this service could not answer. The API's stays
        // a problem.
        Err(e) if return_to.is_some() => {
            let to = match crate::problem::status_of(e.kind).is_server_error() {
                true => "/sign-in/unavailable",
                false => "/sign-in/failed",
            };
            let mut resp = HttpResponse::SeeOther();
            resp.insert_header((header::LOCATION, to))
                .insert_header((header::CACHE_CONTROL, "no-store"));
            for value in clear {
                resp.append_header((header::SET_COOKIE, value));
            }
            Ok(resp.finish())
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /v1/citizen/me`: the signed-in citizen's name and masked ID number.
pub async fn me(SignedInCitizen(who): SignedInCitizen) -> HttpResponse {
    private(StatusCode::OK, who.view())
}

/// `POST /v1/citizen/sign-out`: ends our session (the cookie is removed) and offers the
/// provider's end-session page.
pub async fn sign_out(
    state: web::Data<WebState>,
    SignedInCitizen(who): SignedInCitizen,
) -> Result<HttpResponse, ApiError> {
    let secure = state.oidc.config.cookie_secure;
    let out = web::block(move || citizen::sign_out(&state, &who)).await??;
    let mut resp = private(StatusCode::OK, out);
    if let Ok(v) = header::HeaderValue::from_str(&set_cookie(SESSION_COOKIE, "", "/", 0, secure)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

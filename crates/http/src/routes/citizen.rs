//! Citizens' sign-in at the OpenID Connect provider, their session, and sign-out.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use hunyin_app::citizen::{self, Callback};

use super::private;
use crate::citizen::{cookie, set_cookie, SignedInCitizen, FLOW_COOKIE, SESSION_COOKIE};
use crate::middleware::RequestId;
use crate::problem::ApiError;
use crate::state::WebState;
use actix_web::HttpMessage;

/// The flow cookie is sent back only to the callback.
const FLOW_PATH: &str = "/v1/citizen";

/// `GET /v1/citizen/sign-in`: 302 to the provider's authorization endpoint, with the cookie
/// that finds this sign-in again.
pub async fn sign_in(
    state: web::Data<WebState>,
    http: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // Each sign-in started writes a row: limited per address like the other public writes.
    crate::ratelimit::limit(&state, &http, "citizen_sign_in").await?;
    let secure = state.oidc.config.cookie_secure;
    let start = web::block(move || citizen::begin_sign_in(&state)).await??;
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, start.authorize_url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::SET_COOKIE,
            set_cookie(
                FLOW_COOKIE,
                &start.flow,
                FLOW_PATH,
                start.max_age_secs,
                secure,
            ),
        ))
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
/// answers who signed in. The sign-in in progress is used up whatever the outcome; its cookie
/// is removed on success and otherwise expires with it.
pub async fn callback(
    state: web::Data<WebState>,
    http: HttpRequest,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    crate::ratelimit::limit(&state, &http, "citizen_callback").await?;
    let secure = state.oidc.config.cookie_secure;
    let flow = cookie(&http, FLOW_COOKIE);
    let request_id = http.extensions().get::<RequestId>().map(|r| r.0.clone());
    let q = query.into_inner();
    let back = Callback {
        code: q.code,
        state: q.state,
        error: q.error,
    };
    let clear = set_cookie(FLOW_COOKIE, "", FLOW_PATH, 0, secure);
    let done = web::block(move || {
        citizen::finish_sign_in(&state, flow.as_deref(), back, request_id.as_deref())
    })
    .await?;
    match done {
        Ok(signed_in) => {
            let mut resp = private(StatusCode::OK, signed_in.citizen);
            let session = set_cookie(
                SESSION_COOKIE,
                &signed_in.token,
                "/",
                signed_in.max_age_secs,
                secure,
            );
            for value in [clear, session] {
                if let Ok(v) = header::HeaderValue::from_str(&value) {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            Ok(resp)
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

//! "我的预约": a signed-in citizen's own appointments (oidc identity mode), changed without a
//! manage token, and the second party's confirmation by sign-in.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use hunyin_app::booking::Rules;
use hunyin_app::citizen::appointments as mine;

use super::appointments::RescheduleBody;
use super::{private, with_db};
use crate::citizen::SignedInCitizen;
use crate::extract::Json;
use crate::problem::ApiError;
use crate::state::WebState;

/// `GET /v1/citizen/appointments`
pub async fn list(
    state: web::Data<WebState>,
    SignedInCitizen(who): SignedInCitizen,
) -> Result<HttpResponse, ApiError> {
    let v = with_db(state, move |c, st| mine::list(c, &Rules::of(st), &who)).await?;
    Ok(private(StatusCode::OK, v))
}

/// `GET /v1/citizen/appointments/{reference}`
pub async fn get(
    state: web::Data<WebState>,
    SignedInCitizen(who): SignedInCitizen,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let v = with_db(state, move |c, st| {
        mine::view(c, &Rules::of(st), &who, &reference)
    })
    .await?;
    Ok(private(StatusCode::OK, v))
}

/// `PATCH /v1/citizen/appointments/{reference}`
pub async fn reschedule(
    state: web::Data<WebState>,
    SignedInCitizen(who): SignedInCitizen,
    path: web::Path<String>,
    body: Json<RescheduleBody>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let b = body.0;
    let st = state.clone();
    let v = with_db(state, move |c, s| {
        mine::reschedule(
            c,
            &Rules::of(s),
            &who,
            &reference,
            b.office_id.as_deref(),
            &b.slot_id,
            super::appointments::now_local(),
        )
    })
    .await?;
    st.listings.clear();
    Ok(private(StatusCode::OK, v))
}

/// `DELETE /v1/citizen/appointments/{reference}`
pub async fn cancel(
    state: web::Data<WebState>,
    SignedInCitizen(who): SignedInCitizen,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let st = state.clone();
    let v = with_db(state, move |c, s| {
        mine::cancel(c, &Rules::of(s), &who, &reference)
    })
    .await?;
    st.listings.clear();
    Ok(private(StatusCode::OK, v))
}

/// `POST /v1/citizen/appointments/{reference}/confirmation`: the second party, signed in,
/// confirms the booking that names them.
pub async fn confirm(
    state: web::Data<WebState>,
    http: HttpRequest,
    SignedInCitizen(who): SignedInCitizen,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    crate::ratelimit::limit(&state, &http, "confirmations").await?;
    let reference = path.into_inner();
    let v = with_db(state, move |c, s| {
        mine::confirm(c, &Rules::of(s), &who, &reference, hunyin_app::clock::now())
    })
    .await?;
    Ok(private(StatusCode::OK, v))
}

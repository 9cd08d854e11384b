//! The request middleware: request id, tracing span, metrics, and problem+json for every error
//! response (including the framework's own 404/405/413/415/400).

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use tracing::Instrument;

use crate::metrics::Metrics;
use crate::problem::{ApiError, PROBLEM_JSON};
use hunyin_app::AppError;

/// Header carrying the request id, in and out.
pub const REQUEST_ID: &str = "x-request-id";

/// The request id of the current request, readable by handlers from request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Accepts a caller's request id only if short and plain, so logs cannot be forged with it.
fn incoming_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    ok.then(|| value.to_owned())
}

/// Wraps every request.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id =
        incoming_request_id(&req).unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %method,
        route = tracing::field::Empty,
    );

    async move {
        let res = match next.call(req).await {
            Ok(res) => res.map_into_boxed_body(),
            // An error that escaped the handler chain: answer it here, as problem+json.
            Err(err) => {
                let status = err.as_response_error().status_code();
                let problem = err
                    .as_error::<ApiError>()
                    .cloned()
                    .unwrap_or_else(|| ApiError::from_status(status));
                tracing::debug!(error = %err, "error outside handler");
                return Err(actix_web::error::InternalError::from_response(
                    err,
                    with_request_id(problem.render(Some(&request_id), Some(&path)), &request_id),
                )
                .into());
            }
        };
        // Routing has happened now: the matched template (never the raw path) labels metrics.
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        tracing::Span::current().record("route", route.as_str());
        let res = as_problem(res, &request_id, &path);
        let status = res.status().as_u16();
        let elapsed = started.elapsed();
        if let Some(m) = metrics {
            m.observe(&method, &route, status, elapsed.as_secs_f64());
        }
        if status >= 500 {
            tracing::warn!(
                status,
                latency_ms = elapsed.as_millis() as u64,
                "request failed"
            );
        } else {
            tracing::info!(
                status,
                latency_ms = elapsed.as_millis() as u64,
                "request completed"
            );
        }
        let (req, response) = res.into_parts();
        Ok(ServiceResponse::new(
            req,
            with_request_id(response, &request_id),
        ))
    }
    .instrument(span)
    .await
}

/// Re-renders any error response as problem+json carrying the request id.
fn as_problem(res: ServiceResponse<BoxBody>, request_id: &str, path: &str) -> ServiceResponse {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    // A page (crates/web) answers its errors as HTML pages of its own.
    let html = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        return res;
    }
    let problem = match res.response().error() {
        Some(err) => match err.as_error::<ApiError>() {
            Some(api) => api.clone(),
            None => framework_problem(err, status),
        },
        None if is_problem(&res) => return res,
        None => ApiError::from_status(status),
    };
    let (req, _) = res.into_parts();
    ServiceResponse::new(req, problem.render(Some(request_id), Some(path)))
}

/// Maps an actix error we did not build into our vocabulary, keeping its status.
fn framework_problem(err: &actix_web::Error, status: actix_web::http::StatusCode) -> ApiError {
    use actix_web::error::{JsonPayloadError, PayloadError};
    if let Some(JsonPayloadError::Deserialize(e)) = err.as_error::<JsonPayloadError>() {
        return AppError::malformed_json(&e.to_string()).into();
    }
    if let Some(PayloadError::Overflow) = err.as_error::<PayloadError>() {
        return AppError::payload_too_large(None).into();
    }
    if status.is_server_error() {
        tracing::error!(error = %err, "framework error");
    }
    ApiError::from_status(status)
}

fn is_problem(res: &ServiceResponse<BoxBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

fn with_request_id(mut res: actix_web::HttpResponse, request_id: &str) -> actix_web::HttpResponse {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), v);
    }
    res
}

//! The one place where an [`AppError`] becomes an HTTP answer: a status for its kind and an
//! RFC 9457 `application/problem+json` body with the request id, the path, `Allow`,
//! `Retry-After` and `WWW-Authenticate` where they apply.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use hunyin_app::{AppError, ErrorKind, InvalidParam};

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The status answered for each kind of error.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error on its way to the client: the use case's error and the status it gets.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub problem: AppError,
}

impl From<AppError> for ApiError {
    fn from(problem: AppError) -> Self {
        ApiError {
            status: status_of(problem.kind),
            problem,
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::internal(e).into()
    }
}

impl From<hunyin_app::DbError> for ApiError {
    fn from(e: hunyin_app::DbError) -> Self {
        AppError::from(e).into()
    }
}

impl std::ops::Deref for ApiError {
    type Target = AppError;
    fn deref(&self) -> &AppError {
        &self.problem
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut AppError {
        &mut self.problem
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

/// The JSON body of a problem.
#[derive(Debug, Serialize)]
pub struct ProblemBody<'a> {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: &'a str,
    pub title_zh: &'a str,
    pub status: u16,
    pub detail: &'a str,
    pub detail_zh: &'a str,
    pub code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub invalid_params: &'a [InvalidParam],
    #[serde(flatten)]
    pub extensions: &'a serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    /// 400 `invalid_request` naming the fields.
    pub fn invalid(params: Vec<InvalidParam>) -> Self {
        AppError::invalid(params).into()
    }

    /// A problem for a bare status code that reached the client with no body of ours.
    pub fn from_status(status: StatusCode) -> Self {
        let problem = match status.as_u16() {
            400 => AppError::bad_request(),
            404 => AppError::not_found("The resource"),
            405 => {
                let mut e = AppError::method_not_allowed("This method", "see the API description");
                e.allow = None;
                e
            }
            413 => AppError::payload_too_large(None),
            415 => AppError::unsupported_media_type("application/json"),
            503 => AppError::database_unavailable(),
            s if s >= 500 => AppError::internal_opaque(),
            _ => AppError::bad_request(),
        };
        // Keep the status the framework chose (e.g. 408), with the closest problem.
        ApiError { status, problem }
    }

    /// The problem+json response, with the request id and path when known.
    pub fn render(&self, request_id: Option<&str>, instance: Option<&str>) -> HttpResponse {
        let body = ProblemBody {
            type_: format!("urn:hunyin:problem:{}", self.code),
            title: self.title,
            title_zh: self.title_zh,
            status: self.status.as_u16(),
            detail: &self.detail,
            detail_zh: &self.detail_zh,
            code: self.code,
            instance,
            request_id,
            invalid_params: &self.invalid_params,
            extensions: &self.extensions,
        };
        let json = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut resp = HttpResponse::build(self.status);
        resp.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if let Some(allow) = &self.allow {
            resp.insert_header((header::ALLOW, allow.as_str()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = self.challenge.unwrap_or("Bearer realm=\"hunyin\"");
            resp.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        match self.retry_after {
            Some(secs) => {
                resp.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            None if self.status == StatusCode::SERVICE_UNAVAILABLE => {
                resp.insert_header((header::RETRY_AFTER, "5"));
            }
            None => {}
        }
        resp.body(json)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    /// Rendered without the request id; the request middleware re-renders it with one.
    fn error_response(&self) -> HttpResponse {
        self.render(None, None)
    }
}

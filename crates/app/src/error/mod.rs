//! One error type for every use case, transport-neutral: what went wrong (`ErrorKind`), a stable
//! machine `code`, an English `title`/`detail` with Chinese `title_zh`/`detail_zh`, and for
//! invalid input an `invalid_params` list. The web side alone turns a kind into a status and
//! the error into RFC 9457 problem+json. Internal causes are logged, never sent.

use serde::Serialize;

mod constructors;
mod divorce;
mod identity;

/// What kind of failure an error is; the web side maps each to one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is malformed or its fields are invalid.
    Invalid,
    /// No valid credentials came with the request.
    Unauthenticated,
    /// The caller is known but may not do this.
    Forbidden,
    /// The resource does not exist (or the caller may not know it does).
    NotFound,
    /// The method is not one the resource accepts.
    MethodNotAllowed,
    /// The request conflicts with the resource's current state.
    Conflict,
    /// The body is larger than allowed.
    PayloadTooLarge,
    /// The body is not of a media type the operation reads.
    UnsupportedMediaType,
    /// Well-formed, but the rules refuse it.
    Unprocessable,
    /// Too many requests: retry later.
    RateLimited,
    /// A dependency (the database) cannot be reached now: retry later.
    Unavailable,
    /// Our fault; opaque to the caller.
    Internal,
}

/// One invalid input field: where (`parties[1].id_number`), a stable code, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InvalidParam {
    pub name: String,
    pub code: String,
    pub reason: String,
}

impl InvalidParam {
    pub fn new(
        name: impl Into<String>,
        code: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        InvalidParam {
            name: name.into(),
            code: code.into(),
            reason: reason.into(),
        }
    }
}

/// An error answered to the client. Build it with the named constructors. Boxed, so results
/// carrying it stay small.
#[derive(Debug, Clone)]
pub struct AppError(Box<Problem>);

/// The content of an [`AppError`].
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub title: &'static str,
    pub title_zh: &'static str,
    pub detail: String,
    pub detail_zh: String,
    pub invalid_params: Vec<InvalidParam>,
    /// Extra members merged into the problem object (e.g. `problems` of an eligibility check).
    pub extensions: serde_json::Map<String, serde_json::Value>,
    /// For 405: the methods the resource accepts, sent in `Allow`.
    pub allow: Option<String>,
    /// Seconds to wait, sent in `Retry-After` (429; 503 defaults to 5).
    pub retry_after: Option<u64>,
    /// The `WWW-Authenticate` challenge of an unauthenticated answer (default: the registrar
    /// bearer scheme).
    pub challenge: Option<&'static str>,
}

impl AppError {
    /// An error of `kind` with its code and titles; the detail repeats the title.
    pub(crate) fn new(
        kind: ErrorKind,
        code: &'static str,
        title: &'static str,
        title_zh: &'static str,
    ) -> Self {
        AppError(Box::new(Problem {
            kind,
            code,
            title,
            title_zh,
            detail: title.to_owned(),
            detail_zh: title_zh.to_owned(),
            invalid_params: Vec::new(),
            extensions: serde_json::Map::new(),
            allow: None,
            retry_after: None,
            challenge: None,
        }))
    }

    /// Replaces the English and Chinese detail.
    pub fn with_detail(mut self, en: impl Into<String>, zh: impl Into<String>) -> Self {
        self.detail = en.into();
        self.detail_zh = zh.into();
        self
    }

    /// Adds a member to the problem object.
    pub fn with_extension(mut self, key: &str, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.extensions.insert(key.to_owned(), value);
        self
    }

    /// 400 `invalid_request`: the listed fields are wrong.
    pub fn invalid(params: Vec<InvalidParam>) -> Self {
        let mut e = AppError::new(
            ErrorKind::Invalid,
            "invalid_request",
            "Invalid request",
            "请求参数无效",
        )
        .with_detail(
            "One or more fields are invalid; see invalid_params.",
            "一个或多个字段无效，详见 invalid_params。",
        );
        e.invalid_params = params;
        e
    }

    /// `Ok(())` when `params` is empty, else [`AppError::invalid`] naming them.
    pub fn unless_invalid(params: Vec<InvalidParam>) -> Result<(), Self> {
        if params.is_empty() {
            Ok(())
        } else {
            Err(AppError::invalid(params))
        }
    }
}

impl std::ops::Deref for AppError {
    type Target = Problem;
    fn deref(&self) -> &Problem {
        &self.0
    }
}

impl std::ops::DerefMut for AppError {
    fn deref_mut(&mut self) -> &mut Problem {
        &mut self.0
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} {}: {}", self.kind, self.code, self.detail)
    }
}

impl From<hunyin_store::DbError> for AppError {
    fn from(e: hunyin_store::DbError) -> Self {
        match e {
            hunyin_store::DbError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                AppError::database_unavailable()
            }
            hunyin_store::DbError::Query(diesel::result::Error::NotFound) => {
                AppError::not_found("The resource")
            }
            hunyin_store::DbError::Query(other) => AppError::internal(other),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::from(hunyin_store::DbError::Query(e))
    }
}

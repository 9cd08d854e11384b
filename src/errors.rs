//! One error type for the whole API, answered as RFC 9457 `application/problem+json`.
//!
//! Every problem carries a stable machine `code`, an English `title`/`detail` with Chinese
//! `title_zh`/`detail_zh`, the HTTP `status`, the request id, and for invalid input an
//! `invalid_params` list. Internal causes are logged, never sent.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

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
pub struct ApiError(Box<Problem>);

/// The content of an [`ApiError`].
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
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
    /// The `WWW-Authenticate` challenge of a 401 (default: the registrar bearer scheme).
    pub challenge: Option<&'static str>,
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
    fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        title_zh: &'static str,
    ) -> Self {
        ApiError(Box::new(Problem {
            status,
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
    pub fn with_extension(mut self, key: &str, value: serde_json::Value) -> Self {
        self.extensions.insert(key.to_owned(), value);
        self
    }

    /// 400 `invalid_request`: the listed fields are wrong.
    pub fn invalid(params: Vec<InvalidParam>) -> Self {
        let mut e = ApiError::new(
            StatusCode::BAD_REQUEST,
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

    /// 400 `malformed_json`: the body is not JSON.
    pub fn malformed_json(why: &str) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "Malformed JSON body",
            "请求体不是有效的 JSON",
        )
        .with_detail(
            format!("The request body is not valid JSON: {why}"),
            format!("请求体不是有效的 JSON：{why}"),
        )
    }

    /// 400 `bad_request`: a request the server cannot read, with no finer code.
    pub fn bad_request() -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Bad request",
            "请求无法处理",
        )
    }

    /// 404 `not_found`: the resource does not exist (or the caller may not know it does).
    pub fn not_found(what: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found", "未找到")
            .with_detail(format!("{what} was not found."), format!("未找到{what}。"))
    }

    /// 404 `route_not_found`: no route has this path.
    pub fn route_not_found(path: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "route_not_found",
            "No such route",
            "接口不存在",
        )
        .with_detail(
            format!("No route matches the path {path}."),
            format!("没有与路径 {path} 匹配的接口。"),
        )
    }

    /// 405 `method_not_allowed`.
    pub fn method_not_allowed(method: &str, allowed: &str) -> Self {
        let mut e = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method not allowed",
            "不支持该请求方法",
        )
        .with_detail(
            format!("{method} is not allowed here; allowed: {allowed}."),
            format!("此处不支持 {method}；支持：{allowed}。"),
        );
        e.allow = Some(allowed.to_owned());
        e
    }

    /// 413 `payload_too_large`.
    pub fn payload_too_large(limit: Option<usize>) -> Self {
        let (en, zh) = match limit {
            Some(n) => (
                format!("The request body exceeds the limit of {n} bytes."),
                format!("请求体超过 {n} 字节的上限。"),
            ),
            None => (
                "The request body is too large.".to_owned(),
                "请求体过大。".to_owned(),
            ),
        };
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload too large",
            "请求体过大",
        )
        .with_detail(en, zh)
    }

    /// 415 `unsupported_media_type`.
    pub fn unsupported_media_type(expected: &str) -> Self {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Unsupported media type",
            "不支持的内容类型",
        )
        .with_detail(
            format!("The request body must be sent as {expected}."),
            format!("请求体必须使用 {expected}。"),
        )
    }

    /// 401 `unauthenticated`: no valid bearer token.
    pub fn unauthenticated() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            "需要登录",
        )
    }

    /// 401 `invalid_credentials`: wrong username or password (never which).
    pub fn invalid_credentials() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "Invalid credentials",
            "用户名或密码错误",
        )
        .with_detail(
            "The username or the password is wrong.",
            "用户名或密码错误。",
        )
    }

    /// 401 (or 403 for an operation the partner may not call): a partner request whose
    /// signature was refused, with the stable reason code.
    pub fn partner_refused(forbidden: bool, code: &'static str, detail: String) -> Self {
        let (status, title, title_zh) = if forbidden {
            (
                StatusCode::FORBIDDEN,
                "Operation not permitted",
                "无权调用该接口",
            )
        } else {
            (
                StatusCode::UNAUTHORIZED,
                "Partner signature refused",
                "伙伴签名无效",
            )
        };
        let mut e = ApiError::new(status, code, title, title_zh).with_detail(
            detail,
            "请求须按 RFC 9421 以目录中登记的密钥签名，且在有效期内、随机数未被使用过。",
        );
        e.challenge = Some("Signature");
        e
    }

    /// 403 with a specific code (`forbidden_office`, `forbidden_role`).
    pub fn forbidden(code: &'static str) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, code, "Forbidden", "无权操作")
    }

    /// 409 with a specific code: the request conflicts with the resource's state.
    pub fn conflict(code: &'static str, title: &'static str, title_zh: &'static str) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, title, title_zh)
    }

    /// 422 with a specific code: well-formed, but the rules refuse it.
    pub fn unprocessable(code: &'static str, title: &'static str, title_zh: &'static str) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, title, title_zh)
    }

    /// 429 `too_many_requests`, retry after `secs`.
    pub fn too_many_requests(secs: u64) -> Self {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Too many requests",
            "请求过于频繁",
        )
        .with_detail(
            format!("Too many requests from this address; retry in {secs} s."),
            format!("该地址请求过于频繁，请 {secs} 秒后重试。"),
        );
        e.retry_after = Some(secs);
        e
    }

    /// 503 `database_unavailable`: the database cannot be reached now; retry later.
    pub fn database_unavailable() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "Database unavailable",
            "数据库暂不可用",
        )
        .with_detail(
            "The database cannot be reached at the moment; please retry shortly.",
            "暂时无法连接数据库，请稍后重试。",
        )
    }

    /// 503 `migrations_pending`: the schema is not at the version this build expects.
    pub fn migrations_pending() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "migrations_pending",
            "Database migrations pending",
            "数据库迁移尚未完成",
        )
        .with_detail(
            "The database schema is older than this build; run `hunyin migrate`.",
            "数据库结构版本低于当前程序，请运行 `hunyin migrate`。",
        )
    }

    /// 500 `internal_error`: opaque. The cause is logged here and never sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ApiError::internal_opaque()
    }

    /// 500 without logging (the cause was already logged or is unknown).
    pub fn internal_opaque() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Internal server error",
            "服务器内部错误",
        )
        .with_detail(
            "Something went wrong on our side; quote the request id when reporting it.",
            "服务器出现内部错误；报告问题时请提供请求编号 request_id。",
        )
    }

    /// A problem for a bare status code that reached the client with no body of ours.
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => ApiError::bad_request(),
            404 => ApiError::not_found("The resource"),
            405 => {
                let mut e = ApiError::method_not_allowed("This method", "see the API description");
                e.allow = None;
                e
            }
            413 => ApiError::payload_too_large(None),
            415 => ApiError::unsupported_media_type("application/json"),
            503 => ApiError::database_unavailable(),
            s if s >= 500 => ApiError::internal_opaque(),
            _ => {
                let mut e = ApiError::bad_request();
                e.status = status;
                e
            }
        }
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

impl std::ops::Deref for ApiError {
    type Target = Problem;
    fn deref(&self) -> &Problem {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut Problem {
        &mut self.0
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
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

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        match e {
            crate::db::DbError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                ApiError::database_unavailable()
            }
            crate::db::DbError::Query(diesel::result::Error::NotFound) => {
                ApiError::not_found("The resource")
            }
            crate::db::DbError::Query(other) => ApiError::internal(other),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::from(crate::db::DbError::Query(e))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}

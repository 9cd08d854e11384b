//! The named errors: one constructor per stable code, with its English and Chinese text.

use super::{AppError, ErrorKind};

impl AppError {
    /// 400 `malformed_json`: the body is not JSON.
    pub fn malformed_json(why: &str) -> Self {
        AppError::new(
            ErrorKind::Invalid,
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
        AppError::new(
            ErrorKind::Invalid,
            "bad_request",
            "Bad request",
            "请求无法处理",
        )
    }

    /// 404 `not_found`: the resource does not exist (or the caller may not know it does).
    pub fn not_found(what: &str) -> Self {
        AppError::new(ErrorKind::NotFound, "not_found", "Not found", "未找到")
            .with_detail(format!("{what} was not found."), format!("未找到{what}。"))
    }

    /// 404 `route_not_found`: no route has this path.
    pub fn route_not_found(path: &str) -> Self {
        AppError::new(
            ErrorKind::NotFound,
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
        let mut e = AppError::new(
            ErrorKind::MethodNotAllowed,
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
        AppError::new(
            ErrorKind::PayloadTooLarge,
            "payload_too_large",
            "Payload too large",
            "请求体过大",
        )
        .with_detail(en, zh)
    }

    /// 415 `unsupported_media_type`.
    pub fn unsupported_media_type(expected: &str) -> Self {
        AppError::new(
            ErrorKind::UnsupportedMediaType,
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
        AppError::new(
            ErrorKind::Unauthenticated,
            "unauthenticated",
            "Authentication required",
            "需要登录",
        )
    }

    /// 401 `invalid_credentials`: wrong username or password (never which).
    pub fn invalid_credentials() -> Self {
        AppError::new(
            ErrorKind::Unauthenticated,
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
                ErrorKind::Forbidden,
                "Operation not permitted",
                "无权调用该接口",
            )
        } else {
            (
                ErrorKind::Unauthenticated,
                "Partner signature refused",
                "伙伴签名无效",
            )
        };
        let mut e = AppError::new(status, code, title, title_zh).with_detail(
            detail,
            "请求须按 RFC 9421 以目录中登记的密钥签名，且在有效期内、随机数未被使用过。",
        );
        e.challenge = Some("Signature");
        e
    }

    /// 403 with a specific code (`forbidden_office`, `forbidden_role`).
    pub fn forbidden(code: &'static str) -> Self {
        AppError::new(ErrorKind::Forbidden, code, "Forbidden", "无权操作")
    }

    /// 403 `certificate_out_of_scope`: another office's certificate, of no party's hukou here,
    /// read without a stated purpose.
    pub fn certificate_out_of_scope() -> Self {
        AppError::forbidden("certificate_out_of_scope").with_detail(
            "This certificate was registered at another office and neither party's hukou is in this office's division: state a purpose (divorce_application, reissue, court_request) and a note.",
            "该证书由其他登记机关登记，且双方户籍均不在本机关辖区：请说明查询目的（离婚申请、补领、法院调取）并填写备注。",
        )
    }

    /// 409 with a specific code: the request conflicts with the resource's state.
    pub fn conflict(code: &'static str, title: &'static str, title_zh: &'static str) -> Self {
        AppError::new(ErrorKind::Conflict, code, title, title_zh)
    }

    /// 422 with a specific code: well-formed, but the rules refuse it.
    pub fn unprocessable(code: &'static str, title: &'static str, title_zh: &'static str) -> Self {
        AppError::new(ErrorKind::Unprocessable, code, title, title_zh)
    }

    /// 429 `too_many_requests`, retry after `secs`.
    pub fn too_many_requests(secs: u64) -> Self {
        let mut e = AppError::new(
            ErrorKind::RateLimited,
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
        AppError::new(
            ErrorKind::Unavailable,
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
        AppError::new(
            ErrorKind::Unavailable,
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
        AppError::internal_opaque()
    }

    /// 500 without logging (the cause was already logged or is unknown).
    pub fn internal_opaque() -> Self {
        AppError::new(
            ErrorKind::Internal,
            "internal_error",
            "Internal server error",
            "服务器内部错误",
        )
        .with_detail(
            "Something went wrong on our side; quote the request id when reporting it.",
            "服务器出现内部错误；报告问题时请提供请求编号 request_id。",
        )
    }
}

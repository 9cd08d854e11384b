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

    /// 404 `confirmation_invalid`: no hold awaits confirmation with this link (forged, or not
    /// a link of this instance).
    pub fn confirmation_invalid() -> Self {
        AppError::new(
            ErrorKind::NotFound,
            "confirmation_invalid",
            "Confirmation not found",
            "未找到确认",
        )
        .with_detail(
            "No booking awaits confirmation with this link.",
            "没有与此链接对应的待确认预约。",
        )
    }

    /// 409 `confirmation_used`: the link already confirmed its party.
    pub fn confirmation_used() -> Self {
        AppError::conflict(
            "confirmation_used",
            "Confirmation already used",
            "确认链接已使用",
        )
        .with_detail(
            "This link has already confirmed its party; it confirms once.",
            "此链接已完成确认，只能使用一次。",
        )
    }

    /// 409 `confirmation_expired`: the hold's deadline passed (or it lapsed).
    pub fn confirmation_expired() -> Self {
        AppError::conflict(
            "confirmation_expired",
            "Confirmation expired",
            "确认已过期",
        )
        .with_detail(
            "The booking was not confirmed by both parties in time and no longer holds its seat; book again.",
            "该预约未在期限内由双方确认，名额已释放，请重新预约。",
        )
    }

    /// 409 `confirmation_blocked`: a person of the hold is at a counter right now (checked in).
    pub fn confirmation_blocked() -> Self {
        AppError::conflict(
            "confirmation_blocked",
            "Registration in progress",
            "登记正在办理中",
        )
        .with_detail(
            "A party of this booking is being registered at a counter right now; it cannot stand.",
            "此预约的一方当事人正在登记机关办理登记，此预约无法生效。",
        )
    }

    /// 409 `too_many_holds`: a contact is named in `limit` holds awaiting confirmation.
    pub fn too_many_holds(limit: u32) -> Self {
        AppError::conflict(
            "too_many_holds",
            "Too many unconfirmed bookings",
            "未确认的预约过多",
        )
        .with_detail(
            format!("A contact may be named in at most {limit} bookings awaiting confirmation; confirm or cancel one, or wait until it lapses."),
            format!("同一联系方式最多可用于 {limit} 个待确认的预约；请先确认或取消，或等待其过期。"),
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

    /// 422 `before_civil_code`: received before 2021-01-01, when the 民法典 and its cooling-off
    /// (第1077条) were not in force.
    pub fn divorce_before_civil_code() -> Self {
        AppError::new(
            ErrorKind::Unprocessable,
            "before_civil_code",
            "No cooling-off before the Civil Code",
            "民法典施行前无离婚冷静期",
        )
        .with_detail(
            "The cooling-off period (Civil Code art. 1077) applies to applications received from 2021-01-01.",
            "离婚冷静期（民法典第一千零七十七条）适用于 2021-01-01 起受理的申请。",
        )
    }

    /// 422 `holiday_calendar_unpublished`: the period runs through `year`, whose State Council
    /// holiday notice is not in the holiday file, so its last day cannot be told.
    pub fn holiday_calendar_unpublished(year: i32) -> Self {
        AppError::new(
            ErrorKind::Unprocessable,
            "holiday_calendar_unpublished",
            "Holiday calendar not published",
            "节假日安排尚未公布",
        )
        .with_detail(
            format!(
                "The period runs into {year}, whose holiday notice is not in the calendar yet."
            ),
            format!("期间涉及 {year} 年，该年的节假日安排尚未收录。"),
        )
        .with_extension("year", year)
    }

    /// 401 `unauthenticated` for a citizen route: no live citizen session cookie.
    pub fn citizen_unauthenticated() -> Self {
        let mut e = AppError::unauthenticated().with_detail(
            "Sign in at GET /v1/citizen/sign-in; the session may have expired or been ended.",
            "请先通过 GET /v1/citizen/sign-in 登录；会话可能已过期或已退出。",
        );
        e.challenge = Some("Cookie realm=\"hunyin-citizen\"");
        e
    }

    /// 404 `identity_provider_unconfigured`: this instance has no `[identity.oidc]` issuer, so
    /// it offers no citizen sign-in (not a passing failure: no 5xx, no retry).
    pub fn identity_provider_unconfigured() -> Self {
        AppError::new(
            ErrorKind::NotFound,
            "identity_provider_unconfigured",
            "Sign-in is not configured",
            "未配置实名登录",
        )
        .with_detail(
            "This instance has no identity provider configured (identity.oidc.issuer).",
            "本实例未配置身份认证平台（identity.oidc.issuer）。",
        )
    }

    /// 503 `identity_provider_unavailable`: the identity provider cannot be reached or answered
    /// something unusable; nothing was changed.
    pub fn identity_provider_unavailable() -> Self {
        AppError::new(
            ErrorKind::Unavailable,
            "identity_provider_unavailable",
            "Identity provider unavailable",
            "身份认证平台暂不可用",
        )
        .with_detail(
            "The identity provider cannot be reached at the moment; please sign in again shortly.",
            "暂时无法连接身份认证平台，请稍后重新登录。",
        )
    }

    /// 400 for a sign-in callback refused before any token is read: `sign_in_unknown` (no
    /// sign-in in progress for this browser, or it expired or was used), `sign_in_state_mismatch`,
    /// `sign_in_denied` (the provider answered an error), `sign_in_code_rejected` (the provider
    /// refused the code: replayed, expired or not ours).
    pub fn sign_in_refused(code: &'static str) -> Self {
        let (en, zh) = match code {
            "sign_in_unknown" => (
                "No sign-in is in progress for this browser (it expired or was already used); start again at GET /v1/citizen/sign-in.",
                "此浏览器没有进行中的登录（已过期或已使用），请从 GET /v1/citizen/sign-in 重新开始。",
            ),
            "sign_in_state_mismatch" => (
                "The state returned by the identity provider is not the one this sign-in sent.",
                "身份认证平台返回的 state 与本次登录不符。",
            ),
            "sign_in_denied" => (
                "The identity provider did not sign you in.",
                "身份认证平台未完成登录。",
            ),
            _ => (
                "The identity provider refused the authorization code (used already, expired, or not issued to us).",
                "身份认证平台拒绝了授权码（已使用、已过期或非本应用所有）。",
            ),
        };
        AppError::new(ErrorKind::Invalid, code, "Sign-in refused", "登录被拒绝").with_detail(en, zh)
    }

    /// 401 for an ID token that failed validation: `id_token_expired`, `id_token_wrong_audience`,
    /// `id_token_wrong_issuer`, `id_token_nonce_mismatch`, `id_token_signature_invalid` or
    /// `id_token_invalid`.
    pub fn id_token_rejected(code: &'static str) -> Self {
        let mut e = AppError::new(
            ErrorKind::Unauthenticated,
            code,
            "ID token rejected",
            "身份令牌无效",
        )
        .with_detail(
            "The identity provider's ID token did not pass validation; sign in again.",
            "身份认证平台的身份令牌未通过校验，请重新登录。",
        );
        e.challenge = Some("Cookie realm=\"hunyin-citizen\"");
        e
    }

    /// 422 `identity_claims_missing`: the verified ID token lacks the name or a valid ID number.
    pub fn identity_claims_missing(claim: &str) -> Self {
        AppError::unprocessable(
            "identity_claims_missing",
            "Identity incomplete",
            "实名信息不完整",
        )
        .with_detail(
            format!("The identity provider did not give a valid `{claim}` claim."),
            format!("身份认证平台未提供有效的 `{claim}` 声明。"),
        )
    }
}

//! The named errors of how couples prove who they are (issue 15): the contact mode's
//! confirmation links and holds, and the citizens' OpenID Connect sign-in.

use super::{AppError, ErrorKind};

impl AppError {
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
    /// 409 `already_booked`: the signed-in person (or, without sign-in, a party) already holds
    /// an active appointment or an unconfirmed booking they made; told only to that person.
    pub fn already_booked() -> Self {
        AppError::conflict("already_booked", "Already booked", "已有有效预约").with_detail(
            "You already hold an active appointment (or a booking you made awaits confirmation); manage or cancel it first.",
            "您已有有效预约（或您发起的预约正待确认），请先变更或取消原预约。",
        )
    }

    /// 422 `first_party_not_signed_in`: in oidc mode the first party of a booking is the
    /// signed-in person; the body named someone else.
    pub fn first_party_not_signed_in(params: Vec<super::InvalidParam>) -> Self {
        let mut e = AppError::unprocessable(
            "first_party_not_signed_in",
            "First party is not you",
            "第一方须为登录本人",
        )
        .with_detail(
            "The first party of a booking is the signed-in person: give your own name and ID number as parties[0].",
            "预约的第一方须为当前登录的本人：parties[0] 请填写您本人的姓名和身份证号。",
        );
        e.invalid_params = params;
        e
    }

    /// 404 `not_found` for a citizen's appointment route: no appointment with this reference
    /// names the signed-in person (unknown, or someone else's: the same answer, so that a
    /// session cannot probe references).
    pub fn citizen_appointment_unknown() -> Self {
        AppError::not_found("The appointment").with_detail(
            "None of your appointments has this reference.",
            "您的预约中没有此预约号。",
        )
    }
}

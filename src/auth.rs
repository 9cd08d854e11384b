//! Staff authentication: Argon2id passwords, bearer sessions (stored hashed, expiring,
//! revocable), sign-in throttling, and the `Staff` extractor every registrar route takes.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use crate::configuration::StaffSettings;
use crate::db::{self, staff, DbConn};
use crate::errors::ApiError;
use crate::startup::AppState;
use crate::tokens;

/// A staff role; each is scoped to one office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the counter: check-in, checks, declarations, registration, refusal, certificates.
    Registrar,
    /// A registrar who also manages the office's schedule and staff.
    Supervisor,
    /// Reads the audit trail and statistics; changes nothing.
    Auditor,
}

impl Role {
    /// Parses `registrar`, `supervisor` or `auditor`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "registrar" => Some(Role::Registrar),
            "supervisor" => Some(Role::Supervisor),
            "auditor" => Some(Role::Auditor),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Registrar => "registrar",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
        }
    }
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Argon2id hash (PHC string) of a password.
pub fn hash_password(password: &str) -> Result<String, String> {
    let hash: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(hash.to_string())
}

/// True when `password` matches the stored PHC string.
pub fn verify_password(password: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// A hash of a random password, verified against when the username is unknown, so a wrong
/// username takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&tokens::secret()).unwrap_or_default())
}

/// The signed-in staff member of a request.
#[derive(Debug, Clone, Serialize)]
pub struct Staff {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub office_id: String,
    #[serde(skip)]
    pub token_hash: String,
    /// The id of the request this identity came with, for the audit trail.
    #[serde(skip)]
    pub request_id: Option<String>,
}

impl Staff {
    /// 403 `forbidden_office` unless the staff member belongs to `office_id`.
    pub fn require_office(&self, office_id: &str) -> Result<(), ApiError> {
        if self.office_id == office_id {
            return Ok(());
        }
        Err(ApiError::forbidden("forbidden_office").with_detail(
            format!(
                "Your account belongs to office {}, not {office_id}.",
                self.office_id
            ),
            format!(
                "您的账号属于登记处 {}，无权操作 {office_id}。",
                self.office_id
            ),
        ))
    }

    /// 403 `forbidden_role` unless the staff member has one of `roles`.
    pub fn require_role(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(ApiError::forbidden("forbidden_role").with_detail(
            format!(
                "This needs the role {}; yours is {}.",
                names.join(" or "),
                self.role.as_str()
            ),
            format!(
                "此操作需要角色 {}；您的角色为 {}。",
                names.join(" 或 "),
                self.role.as_str()
            ),
        ))
    }
}

fn unauthenticated() -> ApiError {
    ApiError::unauthenticated().with_detail(
        "Sign in at POST /v1/registrar/sessions and send the token as `Authorization: Bearer …`; it may have expired or been revoked.",
        "请先通过 POST /v1/registrar/sessions 登录，并以 `Authorization: Bearer …` 发送令牌；令牌可能已过期或被撤销。",
    )
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Staff, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = req
            .extensions()
            .get::<crate::middleware::RequestId>()
            .map(|r| r.0.clone());
        Box::pin(async move {
            let token = token.ok_or_else(unauthenticated)?;
            let state = state.ok_or_else(|| ApiError::internal("no application state"))?;
            let token_hash = tokens::hash(&token);
            let found = web::block(move || -> Result<_, ApiError> {
                let mut conn = db::get(&state.pool)?;
                let row = staff::by_session(&mut conn, &token_hash, crate::clock::now())?;
                Ok(row.map(|r| (r, token_hash)))
            })
            .await??;
            let (row, token_hash) = found.ok_or_else(unauthenticated)?;
            Ok(Staff {
                id: row.id,
                role: Role::parse(&row.role).ok_or_else(|| ApiError::internal("stored role"))?,
                username: row.username,
                display_name: row.display_name,
                office_id: row.office_id,
                token_hash,
                request_id,
            })
        })
    }
}

/// A new session: the token (returned once) and its expiry (UTC).
pub struct Session {
    pub token: String,
    pub expires_at: NaiveDateTime,
    pub staff: Staff,
}

/// Signs in: throttled per username (429 while `max_failures` failures lie within the window),
/// 401 `invalid_credentials` for a wrong username or password alike.
pub fn sign_in(
    conn: &mut DbConn,
    settings: &StaffSettings,
    username: &str,
    password: &str,
) -> Result<Session, ApiError> {
    let now = crate::clock::now();
    let window = Duration::minutes(i64::from(settings.failure_window_minutes));
    let since = now - window;
    if staff::failures_since(conn, username, since)? >= i64::from(settings.max_failures) {
        let oldest = staff::oldest_failure_since(conn, username, since)?.unwrap_or(now);
        let wait = (oldest + window - now).num_seconds().max(1) as u64;
        tracing::warn!(username, "sign-in throttled");
        return Err(ApiError::too_many_requests(wait));
    }
    let account = staff::by_username(conn, username)?;
    let ok = match &account {
        Some(a) => verify_password(password, &a.password_hash) && !a.disabled,
        None => {
            verify_password(password, decoy_hash());
            false
        }
    };
    let Some(account) = account.filter(|_| ok) else {
        staff::record_failure(conn, username, now)?;
        tracing::warn!(username, "sign-in failed");
        return Err(ApiError::invalid_credentials());
    };
    let token = tokens::secret();
    let token_hash = tokens::hash(&token);
    let expires_at = now + Duration::hours(i64::from(settings.session_hours));
    db::write_tx(conn, |c| -> Result<(), ApiError> {
        staff::open_session(c, &token_hash, account.id, now, expires_at)?;
        staff::clear_failures(c, username)?;
        crate::audit::record(
            c,
            crate::audit::Event {
                actor_kind: "staff",
                actor_role: Some(&account.role),
                request_id: None,
                actor_id: Some(&account.id.to_string()),
                office_id: Some(&account.office_id),
                action: "staff.signed_in",
                subject_kind: Some("staff"),
                subject_id: Some(&account.id.to_string()),
                details: serde_json::json!({}),
            },
        )?;
        Ok(())
    })?;
    Ok(Session {
        token,
        expires_at,
        staff: Staff {
            id: account.id,
            role: Role::parse(&account.role).ok_or_else(|| ApiError::internal("stored role"))?,
            username: account.username,
            display_name: account.display_name,
            office_id: account.office_id,
            token_hash,
            request_id: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterz", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn roles_parse() {
        for r in [Role::Registrar, Role::Supervisor, Role::Auditor] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}

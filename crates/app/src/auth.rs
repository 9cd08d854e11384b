//! Staff authentication: Argon2id passwords, bearer sessions (stored hashed, expiring,
//! revocable), sign-in throttling, and the signed-in `Staff` every registrar use case takes.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use crate::context::{AppContext, StaffPolicy};
use crate::error::{AppError, InvalidParam};
use crate::tokens;
use hunyin_store::{self as db, staff, DbConn};

pub use hunyin_domain::staff::Role;

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
    pub fn require_office(&self, office_id: &str) -> Result<(), AppError> {
        if self.office_id == office_id {
            return Ok(());
        }
        Err(AppError::forbidden("forbidden_office").with_detail(
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
    pub fn require_role(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(AppError::forbidden("forbidden_role").with_detail(
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

/// 401 `unauthenticated`, saying how to sign in.
pub fn unauthenticated() -> AppError {
    AppError::unauthenticated().with_detail(
        "Sign in at POST /v1/registrar/sessions and send the token as `Authorization: Bearer …`; it may have expired or been revoked.",
        "请先通过 POST /v1/registrar/sessions 登录，并以 `Authorization: Bearer …` 发送令牌；令牌可能已过期或被撤销。",
    )
}

/// The staff member holding the session whose token hashes to `token_hash`, if it is open at
/// `now` and was used within the last `idle_minutes` (0: no idle time-out); `request_id` is
/// kept for the audit trail.
pub fn by_session(
    conn: &mut DbConn,
    token_hash: String,
    request_id: Option<String>,
    now: NaiveDateTime,
    idle_minutes: u32,
) -> Result<Staff, AppError> {
    session_of(conn, token_hash, request_id, now, idle_minutes, true)
}

/// As [`by_session`], for a request a page makes by itself (the queue's refresh), which is
/// not a use: it does not keep an unattended session from its idle timeout.
pub fn by_session_unattended(
    conn: &mut DbConn,
    token_hash: String,
    request_id: Option<String>,
    now: NaiveDateTime,
    idle_minutes: u32,
) -> Result<Staff, AppError> {
    session_of(conn, token_hash, request_id, now, idle_minutes, false)
}

fn session_of(
    conn: &mut DbConn,
    token_hash: String,
    request_id: Option<String>,
    now: NaiveDateTime,
    idle_minutes: u32,
    touch: bool,
) -> Result<Staff, AppError> {
    let idle_since =
        (idle_minutes > 0).then(|| now - chrono::Duration::minutes(i64::from(idle_minutes)));
    let row = staff::by_session(conn, &token_hash, now, idle_since, touch)?
        .ok_or_else(unauthenticated)?;
    Ok(Staff {
        id: row.id,
        role: Role::parse(&row.role).ok_or_else(|| AppError::internal("stored role"))?,
        username: row.username,
        display_name: row.display_name,
        office_id: row.office_id,
        token_hash,
        request_id,
    })
}

/// A new session: the token (returned once), its scheme and expiry, and who holds it.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub token: String,
    pub token_type: &'static str,
    /// RFC 3339, UTC.
    pub expires_at: String,
    pub staff: Staff,
}

/// Ends the session of `staff`'s token now.
pub fn sign_out(conn: &mut DbConn, staff: &Staff) -> Result<(), AppError> {
    staff::revoke_session(conn, &staff.token_hash, crate::clock::now())?;
    Ok(())
}

/// Checks the fields of a sign-in before anything is looked up.
pub fn check_credentials(username: &str, password: &str) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if username.trim().is_empty() || username.len() > 64 {
        errors.push(InvalidParam::new(
            "username",
            "invalid_username",
            "1-64 characters",
        ));
    }
    if password.is_empty() || password.len() > 256 {
        errors.push(InvalidParam::new(
            "password",
            "invalid_password",
            "1-256 characters",
        ));
    }
    AppError::unless_invalid(errors)
}

/// Signs in: throttled per username (429 while `max_failures` failures lie within the window;
/// each attempt is counted before its password is checked, so concurrent guesses are evaluated
/// at most `max_failures` times), 401 `invalid_credentials` for a wrong username or password
/// alike. The password is hashed with no database connection held, and at most one hash per
/// core runs at a time.
pub fn sign_in(ctx: &AppContext, username: &str, password: &str) -> Result<Session, AppError> {
    check_credentials(username, password)?;
    let username = username.trim();
    let settings = &ctx.staff;
    let now = crate::clock::now();
    let window = Duration::minutes(i64::from(settings.failure_window_minutes));
    let account = {
        let mut conn = ctx.conn()?;
        let max = i64::from(settings.max_failures);
        let reserved = db::write_tx(&mut conn, |c| {
            staff::reserve_attempt(c, username, now - window, now, max)
        })?;
        if let Err(oldest) = reserved {
            let wait = (oldest + window - now).num_seconds().max(1) as u64;
            tracing::warn!(username = %logged(username), "sign-in throttled");
            return Err(AppError::too_many_requests(wait));
        }
        staff::by_username(&mut conn, username)?
    };
    let ok = {
        let _permit = ctx.hashing.enter();
        match &account {
            Some(a) => verify_password(password, &a.password_hash) && !a.disabled,
            None => {
                verify_password(password, decoy_hash());
                false
            }
        }
    };
    // Only an existing account's name is logged: what someone typed into the field may be an
    // ID number or a password.
    let known = account.as_ref().map(|a| a.username.clone());
    let Some(account) = account.filter(|_| ok) else {
        // The reserved attempt stays: it is this failure.
        let known = known.as_deref().unwrap_or("(no such account)");
        tracing::warn!(username = known, "sign-in failed");
        return Err(AppError::invalid_credentials());
    };
    open_session(&mut *ctx.conn()?, settings, account, now)
}

/// A typed user name as logged before the account is looked up: masked like an ID number
/// (first 6 + last 4 of a long one; all stars when short), since it may be one.
fn logged(username: &str) -> String {
    hunyin_domain::mask::mask(username)
}

/// Opens a session for an account whose password was right, forgetting its failures.
fn open_session(
    conn: &mut DbConn,
    settings: &StaffPolicy,
    account: staff::StaffRow,
    now: NaiveDateTime,
) -> Result<Session, AppError> {
    let token = tokens::secret();
    let token_hash = tokens::hash(&token);
    let expires_at = now + Duration::hours(i64::from(settings.session_hours));
    let id = account.id.to_string();
    db::write_tx(conn, |c| -> Result<(), AppError> {
        staff::open_session(c, &token_hash, account.id, now, expires_at)?;
        staff::clear_failures(c, &account.username)?;
        crate::audit::record(
            c,
            crate::audit::Event {
                actor_kind: "staff",
                actor_role: Some(&account.role),
                request_id: None,
                actor_id: Some(&id),
                office_id: Some(&account.office_id),
                action: "staff.signed_in",
                subject_kind: Some("staff"),
                subject_id: Some(&id),
                details: crate::audit::Details::none(),
            },
        )?;
        Ok(())
    })?;
    Ok(Session {
        token,
        token_type: "Bearer",
        expires_at: hunyin_domain::time::rfc3339_utc(expires_at),
        staff: Staff {
            id: account.id,
            role: Role::parse(&account.role).ok_or_else(|| AppError::internal("stored role"))?,
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
}

//! Citizens' real-name sign-in (`identity.mode = "oidc"`): the sign-in flow at the configured
//! OpenID Connect provider, the citizen session it opens, and the signed-in [`Citizen`] that
//! citizen use cases take.
//!
//! The flow: [`begin_sign_in`] keeps the state, nonce and PKCE verifier server-side under the
//! hash of a random cookie and sends the browser to the provider; [`finish_sign_in`] takes that
//! row (once), checks the state, exchanges the code, validates the ID token in full and opens a
//! session whose token, stored hashed, is the session cookie. Nothing is written when any check
//! fails, and the ID number is logged only masked.

pub mod appointments;
pub mod oidc;

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use crate::context::AppContext;
use crate::error::{AppError, InvalidParam};
use crate::tokens;
use hunyin_domain::mask::mask;
use hunyin_domain::IdNumber;
use hunyin_store::{self as db, citizens, DbConn};

/// The signed-in citizen of a request.
#[derive(Debug, Clone)]
pub struct Citizen {
    pub issuer: String,
    pub subject: String,
    pub name: String,
    /// Valid (checked when the session opened).
    pub id_number: String,
    pub session_expires_at: NaiveDateTime,
    pub token_hash: String,
    /// The id of the request this identity came with, for the audit trail.
    pub request_id: Option<String>,
}

/// What `GET /v1/citizen/me` shows: the name and the masked ID number, never the whole number.
#[derive(Debug, Clone, Serialize)]
pub struct CitizenView {
    pub name: String,
    /// First 6 and last 4 characters.
    pub id_number_masked: String,
    /// RFC 3339, UTC.
    pub session_expires_at: String,
}

impl Citizen {
    pub fn view(&self) -> CitizenView {
        CitizenView {
            name: self.name.clone(),
            id_number_masked: mask(&self.id_number),
            session_expires_at: hunyin_domain::time::rfc3339_utc(self.session_expires_at),
        }
    }
}

/// A sign-in started: the cookie value that finds it again and where to send the browser.
pub struct SignInStart {
    pub flow: String,
    pub authorize_url: String,
    pub max_age_secs: i64,
}

/// Starts a sign-in (503 when the provider is not configured or cannot be reached).
pub fn begin_sign_in(ctx: &AppContext) -> Result<SignInStart, AppError> {
    let auth = ctx.oidc.authorize()?;
    let now = crate::clock::now();
    let minutes = i64::from(ctx.oidc.config.sign_in_minutes.max(1));
    let flow = tokens::secret();
    let row = citizens::SignInRow {
        flow_hash: tokens::hash(&flow),
        state: auth.state,
        nonce: auth.nonce,
        pkce_verifier: auth.pkce_verifier,
        created_at: now,
        expires_at: now + Duration::minutes(minutes),
    };
    let mut conn = ctx.conn()?;
    db::write_tx(&mut conn, |c| citizens::begin_sign_in(c, &row, now))?;
    Ok(SignInStart {
        flow,
        authorize_url: auth.url,
        max_age_secs: minutes * 60,
    })
}

/// What the provider sent back on the callback's query string.
#[derive(Debug, Default, Clone)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// A session opened: the token (the session cookie, returned once), its lifetime, who.
pub struct SignedIn {
    pub token: String,
    pub max_age_secs: i64,
    pub citizen: CitizenView,
}

/// Finishes the sign-in of the browser holding `flow`.
pub fn finish_sign_in(
    ctx: &AppContext,
    flow: Option<&str>,
    back: Callback,
    request_id: Option<&str>,
) -> Result<SignedIn, AppError> {
    let now = crate::clock::now();
    let refused = |code: &'static str| {
        tracing::warn!(reason = code, "citizen sign-in refused");
        AppError::sign_in_refused(code)
    };
    let flow = flow.ok_or_else(|| refused("sign_in_unknown"))?;
    let pending = {
        let mut conn = ctx.conn()?;
        db::write_tx(&mut conn, |c| {
            citizens::take_sign_in(c, &tokens::hash(flow), now)
        })?
    }
    .ok_or_else(|| refused("sign_in_unknown"))?;
    let state_ok = back
        .state
        .as_deref()
        .is_some_and(|s| tokens::matches(s, &tokens::hash(&pending.state)));
    if !state_ok {
        return Err(refused("sign_in_state_mismatch"));
    }
    if let Some(error) = back.error.as_deref() {
        let error: String = error.chars().take(64).collect();
        tracing::warn!(provider_error = %error, "identity provider did not sign in");
        return Err(AppError::sign_in_refused("sign_in_denied"));
    }
    let code = back.code.filter(|c| !c.is_empty()).ok_or_else(|| {
        AppError::invalid(vec![InvalidParam::new(
            "code",
            "missing_field",
            "the authorization code the identity provider sent",
        )])
    })?;
    // No connection is held while the provider is called.
    let identity = ctx
        .oidc
        .exchange(&code, &pending.pkce_verifier, &pending.nonce)?;
    let config = &ctx.oidc.config;
    if identity.name.trim().is_empty() {
        tracing::warn!(claim = %config.name_claim, "ID token without a name");
        return Err(AppError::identity_claims_missing(&config.name_claim));
    }
    let today = hunyin_domain::time::local_date(now);
    let id_number = IdNumber::parse(&identity.id_number, today).map_err(|_| {
        tracing::warn!(claim = %config.id_number_claim, id_number = %mask(&identity.id_number), "ID token without a valid ID number");
        AppError::identity_claims_missing(&config.id_number_claim)
    })?;
    let token = tokens::secret();
    let minutes = i64::from(config.session_minutes.max(1));
    let row = citizens::SessionRow {
        token_hash: tokens::hash(&token),
        issuer: identity.issuer,
        subject: identity.subject,
        id_number: id_number.as_str().to_owned(),
        name: identity.name.trim().to_owned(),
        provider_sid: identity.sid,
        created_at: now,
        expires_at: now + Duration::minutes(minutes),
        revoked_at: None,
    };
    let mut conn = ctx.conn()?;
    db::write_tx(&mut conn, |c| -> Result<(), AppError> {
        citizens::open_session(c, &row, now)?;
        crate::audit::record(
            c,
            crate::audit::Event {
                actor_kind: "citizen",
                actor_role: None,
                request_id,
                actor_id: Some(&row.subject),
                office_id: None,
                action: "citizen.signed_in",
                subject_kind: Some("citizen"),
                subject_id: Some(&row.subject),
                details: crate::audit::Details::none(),
            },
        )?;
        Ok(())
    })?;
    tracing::info!(id_number = %mask(&row.id_number), "citizen signed in");
    let citizen = session_citizen(row, None);
    Ok(SignedIn {
        token,
        max_age_secs: minutes * 60,
        citizen: citizen.view(),
    })
}

fn session_citizen(row: citizens::SessionRow, request_id: Option<String>) -> Citizen {
    Citizen {
        issuer: row.issuer,
        subject: row.subject,
        name: row.name,
        id_number: row.id_number,
        session_expires_at: row.expires_at,
        token_hash: row.token_hash,
        request_id,
    }
}

/// The citizen holding the session whose token hashes to `token_hash`, if it is open at `now`.
pub fn by_session(
    conn: &mut DbConn,
    token_hash: &str,
    request_id: Option<String>,
    now: NaiveDateTime,
) -> Result<Citizen, AppError> {
    let row = citizens::by_session(conn, token_hash, now)?
        .ok_or_else(AppError::citizen_unauthenticated)?;
    Ok(session_citizen(row, request_id))
}

/// The answer to a sign-out: the provider's end-session page, when it announced one, for the
/// browser to end the provider's session too.
#[derive(Debug, Clone, Serialize)]
pub struct SignedOut {
    pub end_session_url: Option<String>,
}

/// Ends `citizen`'s session now.
pub fn sign_out(ctx: &AppContext, citizen: &Citizen) -> Result<SignedOut, AppError> {
    let now = crate::clock::now();
    let mut conn = ctx.conn()?;
    db::write_tx(&mut conn, |c| -> Result<(), AppError> {
        citizens::revoke_session(c, &citizen.token_hash, now)?;
        crate::audit::record(
            c,
            crate::audit::Event {
                actor_kind: "citizen",
                actor_role: None,
                request_id: citizen.request_id.as_deref(),
                actor_id: Some(&citizen.subject),
                office_id: None,
                action: "citizen.signed_out",
                subject_kind: Some("citizen"),
                subject_id: Some(&citizen.subject),
                details: crate::audit::Details::none(),
            },
        )?;
        Ok(())
    })?;
    Ok(SignedOut {
        end_session_url: ctx.oidc.end_session_url(),
    })
}

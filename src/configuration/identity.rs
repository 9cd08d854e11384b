//! `[identity]`: how couples prove who they are; `[identity.oidc]`, the real-name provider.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// `[identity]`: how couples are identified (`mode`), and the real-name provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySettings {
    pub mode: IdentityModeSetting,
    pub oidc: OidcSettings,
}

/// `identity.mode`: `contact` (each party confirms through their own email) or `oidc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentityModeSetting {
    Contact,
    Oidc,
}

/// `[identity.oidc]`: the OpenID Connect provider citizens sign in at.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub client_secret_file: String,
    pub redirect_url: String,
    pub scopes: Vec<String>,
    pub name_claim: String,
    pub id_number_claim: String,
    pub session_minutes: u32,
    pub sign_in_minutes: u32,
    pub cookie_secure: bool,
    pub timeout_ms: u64,
    pub post_logout_redirect_url: String,
}

impl OidcSettings {
    /// Checks the section when an issuer is configured (an empty issuer turns sign-in off).
    pub fn validate(&self) -> Result<(), String> {
        let bad = |key: &str, why: &str| Err(format!("key `identity.oidc.{key}`: {why}"));
        if self.issuer.trim().is_empty() {
            return Ok(());
        }
        if !is_http_url(&self.issuer) {
            return bad("issuer", "must be an http(s) URL");
        }
        if self.client_id.trim().is_empty() {
            return bad("client_id", "must be set with an issuer");
        }
        if !is_http_url(&self.redirect_url) {
            return bad(
                "redirect_url",
                "must be the http(s) URL of GET /v1/citizen/callback",
            );
        }
        let has_secret = !self.client_secret.expose_secret().is_empty();
        let has_file = !self.client_secret_file.trim().is_empty();
        if has_secret == has_file {
            return bad(
                "client_secret",
                "set exactly one of client_secret (e.g. APP__IDENTITY__OIDC__CLIENT_SECRET) and client_secret_file",
            );
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            return bad("scopes", "must include \"openid\"");
        }
        if self.name_claim.trim().is_empty() || self.id_number_claim.trim().is_empty() {
            return bad("name_claim", "name_claim and id_number_claim must be set");
        }
        if self.session_minutes == 0 || self.sign_in_minutes == 0 || self.timeout_ms == 0 {
            return bad(
                "session_minutes",
                "session_minutes, sign_in_minutes and timeout_ms must be at least 1",
            );
        }
        Ok(())
    }
}

fn is_http_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && s.len() > "https://".len()
}

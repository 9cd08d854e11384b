//! The OpenID Connect client (the `openidconnect` crate over our ureq agent): discovery, the
//! authorization request (code + PKCE, state, nonce), the code exchange, and the ID token's full
//! validation (issuer, audience, expiry, nonce, signature from the provider's JWKS, fetched again
//! once when a token names a key we do not know: the provider rotated its keys).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJsonWebKey, CoreJsonWebKeySet,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, IdToken, IdTokenVerifier, IssuerUrl, JsonWebKeySet, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, ProviderMetadataWithLogout, RedirectUrl, Scope, SignatureVerificationError,
    TokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// `[identity.oidc]` as the client takes it.
#[derive(Clone)]
pub struct OidcConfig {
    /// The provider's issuer URL; empty: citizen sign-in is not configured.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends the browser back: our `GET /v1/citizen/callback`.
    pub redirect_url: String,
    pub scopes: Vec<String>,
    pub name_claim: String,
    pub id_number_claim: String,
    pub session_minutes: u32,
    pub sign_in_minutes: u32,
    pub cookie_secure: bool,
    pub timeout_ms: u64,
    /// Where the provider's end-session page sends the browser after signing out (optional).
    pub post_logout_redirect_url: String,
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .finish_non_exhaustive()
    }
}

/// Every claim of the ID token besides the standard ones, by name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherClaims(pub HashMap<String, serde_json::Value>);
impl AdditionalClaims for OtherClaims {}

type OurIdToken = IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// Who the provider says signed in, from a verified ID token.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub name: String,
    /// As the provider gave it: the caller parses it.
    pub id_number: String,
    /// The provider's session (`sid`), when it sent one.
    pub sid: Option<String>,
}

/// An authorization request to send the browser to, and what the callback must check.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The client as discovery builds it: authorization endpoint known, token endpoint announced.
type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

struct Discovered {
    metadata: ProviderMetadataWithLogout,
    jwks: CoreJsonWebKeySet,
}

/// The provider as this instance knows it: configuration, HTTP agent, and the discovery
/// document and key set, fetched on first use and kept.
pub struct Oidc {
    pub config: OidcConfig,
    agent: ureq::Agent,
    discovered: RwLock<Option<Arc<Discovered>>>,
}

/// A failed call to the provider (not found, refused, timed out, unreadable).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpFailure(#[from] ureq::Error);

impl Oidc {
    pub fn new(config: OidcConfig) -> Oidc {
        let timeout = Duration::from_millis(config.timeout_ms);
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            // Never follow a redirect from the provider's back channel.
            .max_redirects(0)
            .build()
            .into();
        Oidc {
            config,
            agent,
            discovered: RwLock::new(None),
        }
    }

    /// Whether an issuer is configured.
    pub fn configured(&self) -> bool {
        !self.config.issuer.trim().is_empty()
    }

    fn http(
        &self,
        request: openidconnect::HttpRequest,
    ) -> Result<openidconnect::HttpResponse, HttpFailure> {
        let (parts, mut body) = self.agent.run(request)?.into_parts();
        let bytes = body.read_to_vec()?;
        Ok(openidconnect::HttpResponse::from_parts(parts, bytes))
    }

    fn issuer(&self) -> Result<IssuerUrl, AppError> {
        if !self.configured() {
            return Err(AppError::identity_provider_unconfigured());
        }
        IssuerUrl::new(self.config.issuer.clone()).map_err(AppError::internal)
    }

    /// The discovery document and keys, fetched once (503 when the provider cannot be reached).
    fn discovered(&self) -> Result<Arc<Discovered>, AppError> {
        if let Some(d) = self.discovered.read().ok().and_then(|d| d.clone()) {
            return Ok(d);
        }
        let issuer = self.issuer()?;
        let http = |r| self.http(r);
        let metadata = ProviderMetadataWithLogout::discover(&issuer, &http).map_err(|e| {
            tracing::warn!(error = %e, "identity provider discovery failed");
            AppError::identity_provider_unavailable()
        })?;
        let jwks = metadata.jwks().clone();
        let d = Arc::new(Discovered { metadata, jwks });
        if let Ok(mut slot) = self.discovered.write() {
            *slot = Some(d.clone());
        }
        Ok(d)
    }

    fn client(&self, d: &Discovered) -> Result<Client, AppError> {
        let redirect =
            RedirectUrl::new(self.config.redirect_url.clone()).map_err(AppError::internal)?;
        Ok(CoreClient::from_provider_metadata(
            d.metadata.clone().set_jwks(d.jwks.clone()),
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// A new authorization request: a random state and nonce, and a PKCE (S256) pair.
    pub fn authorize(&self) -> Result<Authorization, AppError> {
        let d = self.discovered()?;
        let client = self.client(&d)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in self.config.scopes.iter().filter(|s| s.as_str() != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges `code` (with the PKCE verifier) for tokens and validates the ID token against
    /// `nonce`.
    pub fn exchange(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Identity, AppError> {
        let d = self.discovered()?;
        let client = self.client(&d)?;
        let http = |r| self.http(r);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(AppError::internal)?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request(&http)
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    tracing::warn!(error = %r.error(), "identity provider refused the code");
                    AppError::sign_in_refused("sign_in_code_rejected")
                }
                other => {
                    tracing::warn!(error = ?other, "code exchange failed");
                    AppError::identity_provider_unavailable()
                }
            })?;
        let token = response.id_token().ok_or_else(|| {
            tracing::warn!("token response without an ID token");
            AppError::id_token_rejected("id_token_invalid")
        })?;
        self.verify_id_token(&token.to_string(), nonce)
    }

    /// Validates a compact ID token in full: signature from the provider's JWKS (fetched again
    /// once if the token names a key we do not hold), issuer, audience, expiry and `nonce`.
    pub fn verify_id_token(&self, token: &str, nonce: &str) -> Result<Identity, AppError> {
        let token: OurIdToken = token.parse().map_err(|_| {
            tracing::warn!(reason = "unparsable", "ID token rejected");
            AppError::id_token_rejected("id_token_invalid")
        })?;
        let d = self.discovered()?;
        match self.check(&token, &d.jwks, nonce) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                let d = self.refetch_keys(&d)?;
                self.check(&token, &d.jwks, nonce)
            }
            other => other,
        }
        .map_err(|e| {
            let code = rejection_code(&e);
            tracing::warn!(reason = code, "ID token rejected");
            AppError::id_token_rejected(code)
        })
    }

    fn check(
        &self,
        token: &OurIdToken,
        jwks: &CoreJsonWebKeySet,
        nonce: &str,
    ) -> Result<Identity, ClaimsVerificationError> {
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| ClaimsVerificationError::Other(e.to_string()))?;
        let verifier: IdTokenVerifier<'_, CoreJsonWebKey> =
            IdTokenVerifier::new_confidential_client(
                ClientId::new(self.config.client_id.clone()),
                ClientSecret::new(self.config.client_secret.clone()),
                issuer,
                jwks.clone(),
            );
        let claims = token.claims(&verifier, &Nonce::new(nonce.to_owned()))?;
        let other = &claims.additional_claims().0;
        let text = |name: &str| -> Option<String> {
            match other.get(name) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                _ if name == "name" => claims
                    .name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str().to_owned()),
                _ => None,
            }
        };
        Ok(Identity {
            issuer: claims.issuer().as_str().to_owned(),
            subject: claims.subject().as_str().to_owned(),
            name: text(&self.config.name_claim).unwrap_or_default(),
            id_number: text(&self.config.id_number_claim).unwrap_or_default(),
            sid: text("sid"),
        })
    }

    /// The key set fetched again (the provider rotated its keys), kept for later tokens.
    fn refetch_keys(&self, d: &Discovered) -> Result<Arc<Discovered>, AppError> {
        let http = |r| self.http(r);
        let jwks = JsonWebKeySet::fetch(d.metadata.jwks_uri(), &http).map_err(|e| {
            tracing::warn!(error = %e, "identity provider keys unavailable");
            AppError::identity_provider_unavailable()
        })?;
        tracing::info!("identity provider keys fetched again");
        let fresh = Arc::new(Discovered {
            metadata: d.metadata.clone(),
            jwks,
        });
        if let Ok(mut slot) = self.discovered.write() {
            *slot = Some(fresh.clone());
        }
        Ok(fresh)
    }

    /// The provider's end-session URL for RP-initiated logout, when it announced one.
    pub fn end_session_url(&self) -> Option<String> {
        let d = self.discovered.read().ok()?.clone()?;
        let endpoint = d
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut url = endpoint.url().clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.config.client_id);
            if !self.config.post_logout_redirect_url.is_empty() {
                q.append_pair(
                    "post_logout_redirect_uri",
                    &self.config.post_logout_redirect_url,
                );
            }
        }
        Some(url.to_string())
    }
}

/// The stable code of a validation failure.
fn rejection_code(e: &ClaimsVerificationError) -> &'static str {
    match e {
        ClaimsVerificationError::Expired(_) => "id_token_expired",
        ClaimsVerificationError::InvalidAudience(_) => "id_token_wrong_audience",
        ClaimsVerificationError::InvalidIssuer(_) => "id_token_wrong_issuer",
        ClaimsVerificationError::InvalidNonce(_) => "id_token_nonce_mismatch",
        ClaimsVerificationError::SignatureVerification(_) => "id_token_signature_invalid",
        _ => "id_token_invalid",
    }
}

//! What every handler can reach: the application's context and the web side's own parts.

use std::sync::Arc;

use hunyin_app::AppContext;

use crate::listing_cache::ListingCache;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;

/// The web state. Cheap to share; no globals. It dereferences to the [`AppContext`] so that a
/// handler passes `&state` where a use case wants the context.
pub struct WebState {
    pub app: Arc<AppContext>,
    pub metrics: Metrics,
    /// Per-address limits of the public POST routes.
    pub limiter: RateLimiter,
    /// Recent slot listings.
    pub listings: ListingCache,
    /// The bearer token `/metrics` asks for (`server.metrics_token`); open when `None`.
    pub metrics_token: Option<String>,
    /// Mark the pages' cookies (form token, desk session, language) `Secure` on every answer
    /// (`server.cookie_secure`); they are `Secure` on an answer to an https request anyway.
    pub cookie_secure: bool,
}

impl WebState {
    /// Whether the cookies of the answer to `req` are marked `Secure`.
    pub fn secure_cookies(&self, req: &actix_web::HttpRequest) -> bool {
        self.cookie_secure || req.connection_info().scheme() == "https"
    }
}

impl std::ops::Deref for WebState {
    type Target = AppContext;
    fn deref(&self) -> &AppContext {
        &self.app
    }
}

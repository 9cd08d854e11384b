//! Per-client-address limits of the public POST routes, sign-in and the partner routes:
//! `governor`'s keyed GCRA (per instance, in memory), keyed by address and route, IPv6
//! addresses by their /64 (one subscriber's prefix), idle keys purged as it goes. On PostgreSQL
//! a second line, the same GCRA kept in the database ([`limit`]), gives a client one allowance
//! across every instance of that database.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::{web, HttpRequest};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::Quota;

use crate::problem::ApiError;
use crate::state::WebState;
use hunyin_app::rate_limits::{Decision, Gcra};
use hunyin_app::AppError;

/// The limits of the public POST routes (`[rate_limit]`).
#[derive(Debug, Clone)]
pub struct RateLimitSettings {
    pub enabled: bool,
    pub per_minute: u32,
    pub burst: u32,
    /// Take the client address from the last `X-Forwarded-For` hop (behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Also keep the allowance in the database, shared by every instance on it.
    pub shared: bool,
}

/// Who is limited: a client address (an IPv6 address by its /64) on one route.
type Key = (IpAddr, &'static str);

/// Checks between two purges of idle keys.
const PURGE_EVERY: u64 = 4096;

/// The limiter shared by all workers of an instance.
pub struct RateLimiter<C: Clock = DefaultClock> {
    settings: RateLimitSettings,
    limiter: governor::RateLimiter<Key, DashMapStateStore<Key>, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    checks: AtomicU64,
}

/// The address a limit applies to: IPv4 as it is, IPv6 masked to its /64.
pub fn limited_address(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

fn quota(s: &RateLimitSettings) -> Quota {
    let per_minute = NonZeroU32::new(s.per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(s.burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl RateLimiter {
    /// A limiter on the system clock.
    pub fn new(settings: RateLimitSettings) -> RateLimiter {
        RateLimiter::with_clock(settings, DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    /// A limiter on `clock`.
    pub fn with_clock(settings: RateLimitSettings, clock: C) -> RateLimiter<C> {
        let limiter = governor::RateLimiter::new(
            quota(&settings),
            DashMapStateStore::default(),
            clock.clone(),
        );
        RateLimiter {
            settings,
            limiter,
            clock,
            checks: AtomicU64::new(0),
        }
    }

    /// The client's address: the peer, or behind a trusted proxy the last X-Forwarded-For hop.
    pub fn client(&self, req: &HttpRequest) -> Option<IpAddr> {
        if self.settings.trust_forwarded_for {
            let forwarded = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|ip| ip.trim().parse().ok());
            if forwarded.is_some() {
                return forwarded;
            }
        }
        req.peer_addr().map(|a| a.ip())
    }

    /// This instance's decision: lets the request through (with the limited address, when there
    /// is one to limit), or answers 429 with the seconds until the client may retry.
    pub fn check(
        &self,
        req: &HttpRequest,
        route: &'static str,
    ) -> Result<Option<IpAddr>, ApiError> {
        if !self.settings.enabled {
            return Ok(None);
        }
        let Some(ip) = self.client(req) else {
            return Ok(None);
        };
        self.take(ip, route)?;
        Ok(Some(limited_address(ip)))
    }

    /// The same limit as the database keeps it.
    fn gcra(&self) -> Gcra {
        Gcra {
            interval_us: 60_000_000 / i64::from(self.settings.per_minute.max(1)),
            burst: i64::from(self.settings.burst.max(1)),
        }
    }

    fn take(&self, ip: IpAddr, route: &'static str) -> Result<(), ApiError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PURGE_EVERY == PURGE_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        match self.limiter.check_key(&(limited_address(ip), route)) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Err(AppError::too_many_requests(secs.max(1)).into())
            }
        }
    }

    /// Keys held now (idle ones go at the next purge).
    pub fn keys(&self) -> usize {
        self.limiter.len()
    }
}

/// The shared limiter's key of an address (already limited) on a route.
pub fn shared_key(ip: IpAddr, route: &str) -> String {
    format!("{route}|{ip}")
}

/// Both lines: this instance's limiter, then, when shared, the database's (one statement on a
/// pooled connection off the async workers). A database that cannot decide lets the request
/// through on this instance's limit, with a warning: a limiter never answers 5xx.
pub async fn limit(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    route: &'static str,
) -> Result<(), ApiError> {
    let Some(ip) = state.limiter.check(req, route)? else {
        return Ok(());
    };
    if !state.limiter.settings.shared {
        return Ok(());
    }
    let (key, gcra, st) = (shared_key(ip, route), state.limiter.gcra(), state.clone());
    let decided = web::block(move || -> Result<Decision, AppError> {
        let mut conn = st.conn()?;
        hunyin_app::rate_limits::take(&mut conn, &key, hunyin_app::clock::now(), gcra)
    })
    .await;
    match decided {
        Ok(Ok(Decision::Allowed)) => Ok(()),
        Ok(Ok(Decision::Refused { wait_us })) => {
            let secs = (wait_us.max(0) as u64).div_ceil(1_000_000);
            Err(AppError::too_many_requests(secs.max(1)).into())
        }
        Ok(Err(e)) => {
            tracing::warn!(route, code = e.code, detail = %e.detail, "shared rate limit undecided: this instance's limit applies");
            Ok(())
        }
        Err(e) => {
            tracing::warn!(route, error = %e, "shared rate limit undecided: this instance's limit applies");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;

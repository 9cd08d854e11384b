//! Per-client-address limits of the public POST routes, sign-in and the partner routes:
//! `governor`'s keyed GCRA (per instance, in memory), keyed by address and route, IPv6
//! addresses by their /64 (one subscriber's prefix), idle keys purged as it goes.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::Quota;

use crate::problem::ApiError;
use hunyin_app::AppError;

/// The limits of the public POST routes (`[rate_limit]`).
#[derive(Debug, Clone)]
pub struct RateLimitSettings {
    pub enabled: bool,
    pub per_minute: u32,
    pub burst: u32,
    /// Take the client address from the last `X-Forwarded-For` hop (behind a trusted proxy).
    pub trust_forwarded_for: bool,
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

    /// Lets the request through, or answers 429 with the seconds until the client may retry.
    pub fn check(&self, req: &HttpRequest, route: &'static str) -> Result<(), ApiError> {
        if !self.settings.enabled {
            return Ok(());
        }
        let Some(ip) = self.client(req) else {
            return Ok(());
        };
        self.take(ip, route)
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

#[cfg(test)]
mod tests;

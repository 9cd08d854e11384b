//! Per-client-address token buckets for the public POST routes (per instance, in memory).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::HttpRequest;

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

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The limiter shared by all workers of an instance.
pub struct RateLimiter {
    settings: RateLimitSettings,
    buckets: Mutex<HashMap<(IpAddr, &'static str), Bucket>>,
}

/// Buckets kept before idle ones are dropped.
const MAX_BUCKETS: usize = 100_000;

impl RateLimiter {
    pub fn new(settings: RateLimitSettings) -> RateLimiter {
        RateLimiter {
            settings,
            buckets: Mutex::new(HashMap::new()),
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

    /// Takes one token for `route` from the client's bucket, or answers 429 with the seconds
    /// until the next token.
    pub fn check(&self, req: &HttpRequest, route: &'static str) -> Result<(), ApiError> {
        if !self.settings.enabled {
            return Ok(());
        }
        let Some(ip) = self.client(req) else {
            return Ok(());
        };
        self.take(ip, route, Instant::now())
    }

    fn take(&self, ip: IpAddr, route: &'static str, now: Instant) -> Result<(), ApiError> {
        let rate = f64::from(self.settings.per_minute) / 60.0;
        let burst = f64::from(self.settings.burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_BUCKETS {
            let idle = Duration::from_secs_f64(burst / rate);
            buckets.retain(|_, b| now.duration_since(b.last) < idle);
        }
        let b = buckets.entry((ip, route)).or_insert(Bucket {
            tokens: burst,
            last: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * rate).min(burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - b.tokens) / rate).ceil().max(1.0) as u64;
        Err(AppError::too_many_requests(wait).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter::new(RateLimitSettings {
            enabled: true,
            per_minute,
            burst,
            trust_forwarded_for: false,
        })
    }

    #[test]
    fn burst_then_refill() {
        let l = limiter(60, 3);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.take(ip, "x", t0).is_ok());
        }
        let e = l.take(ip, "x", t0).unwrap_err();
        assert_eq!(e.status.as_u16(), 429);
        assert_eq!(e.retry_after, Some(1));
        assert!(
            l.take(ip, "x", t0 + Duration::from_secs(1)).is_ok(),
            "one token a second"
        );
    }

    #[test]
    fn addresses_and_routes_have_their_own_buckets() {
        let l = limiter(1, 1);
        let t0 = Instant::now();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(l.take(a, "x", t0).is_ok());
        assert!(l.take(a, "x", t0).is_err());
        assert!(l.take(a, "y", t0).is_ok());
        assert!(l.take(b, "x", t0).is_ok());
    }
}

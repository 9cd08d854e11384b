//! Tests of the limiter on a clock the test moves.

use std::time::Duration;

use governor::clock::FakeRelativeClock;

use super::*;

fn limiter(per_minute: u32, burst: u32) -> (RateLimiter<FakeRelativeClock>, FakeRelativeClock) {
    let clock = FakeRelativeClock::default();
    let settings = RateLimitSettings {
        enabled: true,
        per_minute,
        burst,
        trust_forwarded_for: false,
        shared: false,
    };
    (RateLimiter::with_clock(settings, clock.clone()), clock)
}

#[test]
fn burst_then_refill() {
    let (l, clock) = limiter(60, 3);
    let ip: IpAddr = "10.0.0.1".parse().unwrap();
    for _ in 0..3 {
        assert!(l.take(ip, "x").is_ok());
    }
    let e = l.take(ip, "x").unwrap_err();
    assert_eq!(e.status.as_u16(), 429);
    assert_eq!(e.retry_after, Some(1));
    clock.advance(Duration::from_secs(1));
    assert!(l.take(ip, "x").is_ok(), "one token a second");
}

#[test]
fn addresses_and_routes_have_their_own_allowance() {
    let (l, _) = limiter(1, 1);
    let a: IpAddr = "10.0.0.1".parse().unwrap();
    let b: IpAddr = "10.0.0.2".parse().unwrap();
    assert!(l.take(a, "x").is_ok());
    assert!(l.take(a, "x").is_err());
    assert!(l.take(a, "y").is_ok());
    assert!(l.take(b, "x").is_ok());
}

#[test]
fn an_ipv6_subscriber_is_limited_by_its_64_not_each_address() {
    let (l, _) = limiter(1, 1);
    let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
    let same_64: IpAddr = "2001:db8:1:2:ffff:ffff:ffff:ffff".parse().unwrap();
    let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
    assert!(l.take(a, "x").is_ok());
    assert!(
        l.take(same_64, "x").is_err(),
        "rotating the interface id buys nothing"
    );
    assert!(l.take(other_64, "x").is_ok());
}

#[test]
fn idle_keys_are_purged() {
    let (l, clock) = limiter(60, 1);
    for i in 0..PURGE_EVERY as u32 - 1 {
        let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
        assert!(l.take(ip, "x").is_ok());
    }
    assert!(l.keys() > 1000);
    clock.advance(Duration::from_secs(120));
    let _ = l.take("192.0.2.1".parse().unwrap(), "x");
    assert!(l.keys() <= 1, "{} keys left", l.keys());
}

//! The breaker and the limit, on a clock the test moves (no sleeps).

use super::*;

/// A clock that moves only when told.
struct TestClock(Mutex<Instant>);

impl TestClock {
    fn new() -> Arc<TestClock> {
        Arc::new(TestClock(Mutex::new(Instant::now())))
    }
    fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
}

impl Clock for TestClock {
    fn now(&self) -> Instant {
        *self.0.lock().unwrap()
    }
}

const COOLDOWN: Duration = Duration::from_secs(30);

fn breaker(clock: &Arc<TestClock>) -> Breaker {
    Breaker::new("henan", 3, COOLDOWN, clock.clone())
}

fn fail(b: &Breaker) {
    b.attempt().expect("admitted").done(false);
}

fn succeed(b: &Breaker) {
    b.attempt().expect("admitted").done(true);
}

#[test]
fn the_breaker_opens_after_breaker_failures_in_a_row() {
    let clock = TestClock::new();
    let b = breaker(&clock);
    fail(&b);
    fail(&b);
    assert_eq!(b.state(), BreakerState::Closed);
    fail(&b);
    assert_eq!(b.state(), BreakerState::Open);
    assert_eq!(b.attempt().err(), Some(Shed::Open));
}

#[test]
fn a_success_resets_the_count_of_failures() {
    let clock = TestClock::new();
    let b = breaker(&clock);
    fail(&b);
    fail(&b);
    succeed(&b);
    fail(&b);
    fail(&b);
    assert_eq!(b.state(), BreakerState::Closed);
    assert!(b.attempt().is_ok());
}

#[test]
fn an_open_breaker_sheds_calls_until_the_cooldown_has_passed() {
    let clock = TestClock::new();
    let b = breaker(&clock);
    (0..3).for_each(|_| fail(&b));
    clock.advance(COOLDOWN - Duration::from_millis(1));
    assert_eq!(b.attempt().err(), Some(Shed::Open));
    clock.advance(Duration::from_millis(1));
    let trial = b.attempt().expect("one trial after the cool-down");
    assert_eq!(b.state(), BreakerState::HalfOpen);
    // Only one trial is out at a time.
    assert_eq!(b.attempt().err(), Some(Shed::Open));
    trial.done(true);
    assert_eq!(b.state(), BreakerState::Closed);
    assert!(b.attempt().is_ok());
}

#[test]
fn a_failed_trial_opens_the_breaker_for_another_cooldown() {
    let clock = TestClock::new();
    let b = breaker(&clock);
    (0..3).for_each(|_| fail(&b));
    clock.advance(COOLDOWN);
    fail(&b);
    assert_eq!(b.state(), BreakerState::Open);
    clock.advance(COOLDOWN - Duration::from_millis(1));
    assert_eq!(b.attempt().err(), Some(Shed::Open));
    clock.advance(Duration::from_millis(1));
    assert!(b.attempt().is_ok());
}

#[test]
fn a_trial_dropped_without_a_report_counts_as_failed() {
    let clock = TestClock::new();
    let b = breaker(&clock);
    (0..3).for_each(|_| fail(&b));
    clock.advance(COOLDOWN);
    drop(b.attempt().expect("trial"));
    assert_eq!(b.state(), BreakerState::Open);
}

#[test]
fn a_late_success_of_a_call_from_before_the_opening_does_not_close_it() {
    let clock = TestClock::new();
    let b = breaker(&clock);
    let early = b.attempt().expect("admitted while closed");
    (0..3).for_each(|_| fail(&b));
    early.done(true);
    assert_eq!(b.state(), BreakerState::Open);
}

#[test]
fn no_more_than_max_concurrent_calls_are_in_flight() {
    let limit = Limit::new(2);
    let a = limit.enter().expect("first");
    let b = limit.enter().expect("second");
    assert_eq!(limit.enter().err(), Some(Shed::Busy));
    drop(a);
    let c = limit.enter().expect("a place was given back");
    assert_eq!(limit.enter().err(), Some(Shed::Busy));
    drop((b, c));
}

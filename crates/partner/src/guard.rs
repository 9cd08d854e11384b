//! Keeping a slow or dead partner cheap: at most so many calls in flight to one partner, and a
//! circuit breaker that stops asking a partner after so many failures in a row.
//!
//! The breaker is closed (calls go out) until `failures` calls in a row fail (no answer in
//! time, a refused connection, a 5xx, an answer not signed by the partner); then it is open:
//! calls are shed at once, without any network traffic, for `cooldown`. After the cool-down
//! one trial call goes out (half-open): its success closes the breaker, its failure opens it
//! again. A success resets the count. Hand-written rather than the `failsafe` crate: that one
//! is not in the lock file, brings `futures`, `pin-project` and `rand` along, has no
//! single-trial half-open state nor a readable state for /metrics, and mocks its clock
//! process-wide rather than per breaker.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::Directory;

/// Where the breaker reads the time (a test injects its own).
pub trait Clock: Send + Sync {
    fn now(&self) -> Instant;
}

/// The machine's monotonic clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// The limits applied to every partner.
#[derive(Debug, Clone, Copy)]
pub struct GuardConfig {
    /// Calls in flight to one partner at most (`partner.max_concurrent_calls`).
    pub max_concurrent_calls: usize,
    /// Failures in a row that open the breaker (`partner.breaker_failures`).
    pub breaker_failures: u32,
    /// How long an open breaker sheds calls (`partner.breaker_cooldown_secs`).
    pub breaker_cooldown: Duration,
}

impl Default for GuardConfig {
    fn default() -> GuardConfig {
        GuardConfig {
            max_concurrent_calls: 4,
            breaker_failures: 5,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

/// Why a call was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Shed {
    #[error("too many calls in flight to this partner")]
    Busy,
    #[error("circuit open after repeated failures")]
    Open,
}

/// A breaker's state, as /metrics shows it (0 closed, 1 open, 2 half-open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn gauge(self) -> i64 {
        match self {
            BreakerState::Closed => 0,
            BreakerState::Open => 1,
            BreakerState::HalfOpen => 2,
        }
    }
}

#[derive(Debug)]
enum Inner {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// The trial call is out.
    HalfOpen,
}

/// The circuit breaker of one partner.
pub struct Breaker {
    partner: String,
    failures: u32,
    cooldown: Duration,
    clock: Arc<dyn Clock>,
    inner: Mutex<Inner>,
}

/// Leave to make one call; report how it went ([`Attempt::done`]). Dropped unreported, it
/// counts as a failure (a trial that panicked must not leave the breaker half-open for ever).
pub struct Attempt<'a> {
    breaker: &'a Breaker,
    trial: bool,
    reported: bool,
}

impl Attempt<'_> {
    /// Reports whether the partner answered (`ok`) or failed.
    pub fn done(mut self, ok: bool) {
        self.reported = true;
        self.breaker.record(self.trial, ok);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.reported {
            self.breaker.record(self.trial, false);
        }
    }
}

impl Breaker {
    /// A closed breaker for `partner`: opens after `failures` failures in a row (at least
    /// one), for `cooldown`.
    pub fn new(partner: &str, failures: u32, cooldown: Duration, clock: Arc<dyn Clock>) -> Self {
        Breaker {
            partner: partner.to_owned(),
            failures: failures.max(1),
            cooldown,
            clock,
            inner: Mutex::new(Inner::Closed { failures: 0 }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Leave to call now, or why not.
    pub fn attempt(&self) -> Result<Attempt<'_>, Shed> {
        let mut inner = self.lock();
        let trial = match *inner {
            Inner::Closed { .. } => false,
            Inner::Open { until } if self.clock.now() >= until => {
                *inner = Inner::HalfOpen;
                tracing::info!(partner = %self.partner, "partner circuit half-open: one trial call");
                true
            }
            Inner::Open { .. } | Inner::HalfOpen => return Err(Shed::Open),
        };
        Ok(Attempt {
            breaker: self,
            trial,
            reported: false,
        })
    }

    fn record(&self, trial: bool, ok: bool) {
        let mut inner = self.lock();
        let open = Inner::Open {
            until: self.clock.now() + self.cooldown,
        };
        match (&mut *inner, trial, ok) {
            (Inner::Closed { failures }, _, true) => *failures = 0,
            (Inner::Closed { failures }, _, false) => {
                *failures += 1;
                if *failures >= self.failures {
                    tracing::warn!(partner = %self.partner, failures = *failures, cooldown_secs = self.cooldown.as_secs(), "partner circuit open: calls are shed");
                    *inner = open;
                }
            }
            (Inner::HalfOpen, true, true) => {
                tracing::info!(partner = %self.partner, "partner circuit closed: the trial call succeeded");
                *inner = Inner::Closed { failures: 0 };
            }
            (Inner::HalfOpen, true, false) => {
                tracing::warn!(partner = %self.partner, cooldown_secs = self.cooldown.as_secs(), "partner circuit open again: the trial call failed");
                *inner = open;
            }
            // A call admitted before the breaker opened, ending late: it says nothing new.
            (Inner::HalfOpen | Inner::Open { .. }, _, _) => {}
        }
    }

    /// The state now.
    pub fn state(&self) -> BreakerState {
        match *self.lock() {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::Open { .. } => BreakerState::Open,
            Inner::HalfOpen => BreakerState::HalfOpen,
        }
    }
}

/// A bound on the calls in flight to one partner.
pub struct Limit {
    max: usize,
    in_flight: AtomicUsize,
}

/// A place among the calls in flight, given back when dropped.
pub struct Slot<'a>(&'a Limit);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Limit {
    pub fn new(max: usize) -> Limit {
        Limit {
            max: max.max(1),
            in_flight: AtomicUsize::new(0),
        }
    }

    /// A place now, or [`Shed::Busy`] when all are taken (no waiting: a caller that cannot
    /// be served at once is answered at once).
    pub fn enter(&self) -> Result<Slot<'_>, Shed> {
        self.in_flight
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.max).then_some(n + 1)
            })
            .map(|_| Slot(self))
            .map_err(|_| Shed::Busy)
    }
}

/// The limit and the breaker of one partner.
pub struct PeerGuard {
    pub limit: Limit,
    pub breaker: Breaker,
}

/// The guards of every partner of the directory, by name.
pub struct Guards {
    by_name: HashMap<String, PeerGuard>,
}

impl Guards {
    pub fn new(directory: &Directory, config: GuardConfig, clock: Arc<dyn Clock>) -> Guards {
        let by_name = directory
            .peers
            .iter()
            .map(|p| {
                let guard = PeerGuard {
                    limit: Limit::new(config.max_concurrent_calls),
                    breaker: Breaker::new(
                        &p.name,
                        config.breaker_failures,
                        config.breaker_cooldown,
                        clock.clone(),
                    ),
                };
                (p.name.clone(), guard)
            })
            .collect();
        Guards { by_name }
    }

    /// The guard of the partner named `name`.
    pub fn of(&self, name: &str) -> Option<&PeerGuard> {
        self.by_name.get(name)
    }

    /// Every partner's breaker state, by name.
    pub fn states(&self) -> Vec<(String, BreakerState)> {
        let mut v: Vec<_> = self
            .by_name
            .iter()
            .map(|(n, g)| (n.clone(), g.breaker.state()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

#[cfg(test)]
mod tests;

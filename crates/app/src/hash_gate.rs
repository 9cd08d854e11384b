//! A bound on concurrent password hashing: Argon2 is deliberately slow, and a flood of sign-ins
//! must not take every core (or, before this, every database connection) from everyone else.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// A counting semaphore for blocking threads.
#[derive(Debug)]
pub struct HashGate {
    free: Mutex<usize>,
    freed: Condvar,
    slots: usize,
    waiting: AtomicUsize,
}

/// A permit; the slot is given back when it drops.
pub struct Permit<'a>(&'a HashGate);

impl HashGate {
    /// At most `slots` hashes at a time (at least one).
    pub fn new(slots: usize) -> HashGate {
        HashGate {
            free: Mutex::new(slots.max(1)),
            freed: Condvar::new(),
            slots: slots.max(1),
            waiting: AtomicUsize::new(0),
        }
    }

    /// One hash per core of the machine.
    pub fn per_core() -> HashGate {
        HashGate::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Waits for a slot.
    pub fn enter(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        if *free == 0 {
            self.waiting.fetch_add(1, Ordering::SeqCst);
            while *free == 0 {
                free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
            }
            self.waiting.fetch_sub(1, Ordering::SeqCst);
        }
        *free -= 1;
        Permit(self)
    }

    /// How many hashes may run at once.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Callers waiting for a slot now (what the tests watch to know a sign-in is at the gate).
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut free = self.0.free.lock().unwrap_or_else(|e| e.into_inner());
        *free += 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn no_more_than_the_slots_run_at_once() {
        let gate = Arc::new(HashGate::new(2));
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (gate, now, peak) = (gate.clone(), now.clone(), peak.clone());
                std::thread::spawn(move || {
                    let _p = gate.enter();
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    now.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(peak.load(Ordering::SeqCst) <= 2);
    }
}

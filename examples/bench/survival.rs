//! Survival: which instances of a surge still run, and the kill -9 of one of them mid-surge.
//! Requests go round-robin over the living, as a load balancer would once its health check
//! fails, so that the figures show what the survivors do, not a dead port's refusals.

use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::instances::Server;
use crate::load::Hook;

/// The instances' ports and which of them are alive.
#[derive(Clone)]
pub struct Live {
    ports: Vec<u16>,
    alive: Arc<Mutex<Vec<bool>>>,
}

impl Live {
    pub fn new(servers: &[Server]) -> Live {
        Live {
            ports: servers.iter().map(|s| s.port).collect(),
            alive: Arc::new(Mutex::new(vec![true; servers.len()])),
        }
    }

    /// The port request `i` goes to.
    pub fn pick(&self, i: usize) -> u16 {
        let a = self.alive.lock().unwrap();
        let live: Vec<u16> = self
            .ports
            .iter()
            .zip(a.iter())
            .filter(|(_, ok)| **ok)
            .map(|(p, _)| *p)
            .collect();
        live[i % live.len()]
    }

    /// Before request `at`: SIGKILL to the first instance (by pid: the load generator's tasks
    /// do not own it), and no more requests to it.
    pub fn kill_first_at(&self, at: usize, first: &Server) -> Hook {
        let (alive, victim_pid) = (self.alive.clone(), first.child.id());
        let kill = move || {
            let _ = Command::new("kill")
                .args(["-9", &victim_pid.to_string()])
                .status();
            alive.lock().unwrap()[0] = false;
        };
        (at, Box::new(kill))
    }
}

/// Reaps the killed first instance, so that it is gone before the database is read back.
pub fn reap(first: &mut Server) {
    let _ = first.child.wait();
}

/// The highest peak memory (KiB) of the instances that ran to the end.
pub fn survivors_peak(servers: &[Server], killed_first: bool) -> u64 {
    servers
        .iter()
        .skip(usize::from(killed_first))
        .map(|s| s.memory_kib("VmHWM"))
        .max()
        .unwrap_or(0)
}

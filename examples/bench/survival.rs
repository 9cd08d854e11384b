//! Survival: which instances of a surge still run, and the kill -9 of one of them mid-surge
//! (with a single instance: the kill -9 and its restart on the same database and mail folder).
//! Requests go round-robin over the living, as a load balancer would once its health check
//! fails, so that the figures show what the survivors do, not a dead port's refusals.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::instances::{start, Db, Server};
use crate::load::Hook;
use crate::Res;

/// The instances' ports and which of them are alive.
#[derive(Clone)]
pub struct Live {
    ports: Arc<Mutex<Vec<(u16, bool)>>>,
}

/// Where the restarted instance is left for the surge, with how long it was down.
pub type Restarted = Arc<Mutex<Option<(Res<Server>, Duration)>>>;

impl Live {
    pub fn new(servers: &[Server]) -> Live {
        let ports = servers.iter().map(|s| (s.port, true)).collect();
        Live {
            ports: Arc::new(Mutex::new(ports)),
        }
    }

    /// The port request `i` goes to.
    pub fn pick(&self, i: usize) -> u16 {
        let ports = self.ports.lock().unwrap();
        let live: Vec<u16> = ports
            .iter()
            .filter(|(_, ok)| *ok)
            .map(|(p, _)| *p)
            .collect();
        live[i % live.len()]
    }

    /// Before request `at`: SIGKILL to the first instance (by pid: the load generator's tasks
    /// do not own it), and no more requests to it.
    pub fn kill_first_at(&self, at: usize, first: &Server) -> Hook {
        let (ports, victim_pid) = (self.ports.clone(), first.child.id());
        let kill = move || {
            kill9(victim_pid);
            ports.lock().unwrap()[0].1 = false;
        };
        (at, Box::new(kill))
    }

    /// Before request `at`: SIGKILL to the first instance, then `again` starts it anew (same
    /// database, same mail folder) and requests go to it. New requests wait meanwhile, as
    /// behind a proxy that holds them for a restarting upstream; those in flight fail.
    pub fn restart_first_at(
        &self,
        at: usize,
        first: &Server,
        again: Again,
        slot: Restarted,
    ) -> Hook {
        let (ports, victim_pid) = (self.ports.clone(), first.child.id());
        let restart = move || {
            let mut ports = ports.lock().unwrap();
            let began = Instant::now();
            kill9(victim_pid);
            gone(victim_pid);
            let server = again.start();
            if let Ok(s) = &server {
                ports[0].0 = s.port;
            }
            *slot.lock().unwrap() = Some((server, began.elapsed()));
        };
        (at, Box::new(restart))
    }
}

/// What starts the first instance again: `start` with its name, database and configuration.
pub struct Again {
    pub bin: PathBuf,
    pub db: Db,
    pub dir: PathBuf,
    pub name: String,
    pub config: PathBuf,
}

impl Again {
    fn start(&self) -> Res<Server> {
        Ok(start(
            &self.bin,
            &self.db,
            &self.dir,
            &self.name,
            &[],
            Some(&self.config),
        )?
        .0)
    }

    pub fn new(bin: &Path, db: &Db, dir: &Path, name: String, config: &Path) -> Again {
        let (bin, dir, config) = (bin.to_owned(), dir.to_owned(), config.to_owned());
        Again {
            bin,
            db: db.handle(),
            dir,
            name,
            config,
        }
    }
}

fn kill9(pid: u32) {
    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
}

/// Waits (at most 2 s) until process `pid` has died: a zombie, or gone.
fn gone(pid: u32) {
    for _ in 0..2000 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The state follows the command name in parentheses.
        let state = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next());
        if matches!(state, None | Some('Z') | Some('X')) {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
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

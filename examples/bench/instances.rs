//! Databases and `hunyin` processes: a fresh database per scenario, servers started on free
//! ports and killed with SIGKILL (also when dropped), and one-shot CLI commands.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::{text, Res};

/// A fresh database: a SQLite file in `dir`, or a new PostgreSQL database (dropped at the end).
pub struct Db {
    pub url: String,
    /// The server URL and the database's name, to drop it again.
    pg: Option<(String, String)>,
}

impl Db {
    pub fn sqlite(dir: &Path, name: &str) -> Db {
        Db {
            url: format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
            pg: None,
        }
    }

    /// A database of its own on `server`, named after this process so that runs side by side
    /// do not collide.
    pub fn postgres(server: &str, name: &str) -> Res<Db> {
        let db = format!("hunyin_bench_{name}_{}", std::process::id());
        let mut admin = PgConnection::establish(server).map_err(text)?;
        for sql in [drop_sql(&db), format!("CREATE DATABASE {db}")] {
            admin.batch_execute(&sql).map_err(text)?;
        }
        let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(server);
        Ok(Db {
            url: format!("{base}/{db}"),
            pg: Some((server.to_owned(), db)),
        })
    }

    /// The same database, without dropping it when this handle goes.
    pub fn handle(&self) -> Db {
        Db {
            url: self.url.clone(),
            pg: None,
        }
    }

    pub fn engine(&self) -> &'static str {
        if self.pg.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((server, db)) = &self.pg {
            if let Ok(mut c) = PgConnection::establish(server) {
                let _ = c.batch_execute(&drop_sql(db));
            }
        }
    }
}

/// FORCE: a killed server may leave connections behind.
fn drop_sql(db: &str) -> String {
    format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")
}

/// What every throughput figure runs with: no rate limit, room for a thousand bookings a slot.
pub fn bench_env() -> Vec<(String, String)> {
    vec![
        ("APP__RATE_LIMIT__ENABLED".into(), "false".into()),
        ("APP__BOOKING__CAPACITY".into(), "1000".into()),
        ("APP__DATABASE__MAX_CONNECTIONS".into(), "16".into()),
    ]
}

/// A running `hunyin serve`.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub mail_dir: PathBuf,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn kill9(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    /// Resident memory in KiB: `VmRSS` now, or `VmHWM` (the peak).
    pub fn memory_kib(&self, field: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// `hunyin [--config C]` on `db` with nothing from this process's environment but PATH, so
/// that a developer's `APP__*` variables do not leak into the figures.
fn hunyin(bin: &Path, config: Option<&Path>, db: &Db) -> Command {
    let mut cmd = Command::new(bin);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("APP__DATABASE__URL", &db.url)
        .env("APP__LOG__FILTER", "warn");
    cmd
}

/// Starts `hunyin serve` as `name` (its log and mail in `dir`) and waits until it is ready;
/// also returns how long that took.
pub fn start(
    bin: &Path,
    db: &Db,
    dir: &Path,
    name: &str,
    env: &[(String, String)],
    config: Option<&Path>,
) -> Res<(Server, Duration)> {
    let port = free_port();
    let mail_dir = dir.join(format!("mail-{name}"));
    // Appended: an instance started again after a kill -9 keeps the first one's log.
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("{name}.log")))
        .map_err(text)?;
    let began = Instant::now();
    let child = hunyin(bin, config, db)
        .arg("serve")
        .env("APP__SERVER__PORT", port.to_string())
        .env(
            "APP__PARTNER__PUBLIC_URL",
            format!("http://127.0.0.1:{port}"),
        )
        .env("APP__MAIL__FILE_DIR", &mail_dir)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let server = Server {
        child,
        port,
        mail_dir,
    };
    if !ready(&server) {
        return Err(format!(
            "{name} did not become ready; see {}/{name}.log",
            dir.display()
        ));
    }
    Ok((server, began.elapsed()))
}

/// Polls `/readyz` every 2 ms for about 8 s (more with slow connects).
fn ready(server: &Server) -> bool {
    let probe = probe(&server.url("/readyz"));
    for _ in 0..4000 {
        if probe() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A tiny blocking readiness probe over a raw TCP connection (no client pool in the timing).
fn probe(url: &str) -> impl Fn() -> bool {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap();
    let (host, path) = (host.to_owned(), format!("/{path}"));
    move || {
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect(&host) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
        let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        if s.write_all(req.as_bytes()).is_err() {
            return false;
        }
        let mut buf = [0u8; 16];
        matches!(s.read(&mut buf), Ok(n) if n >= 12 && &buf[9..12] == b"200")
    }
}

/// Runs one `hunyin --config C ARGS` command on `db`, `stdin` written to it; its stderr is
/// the error.
pub fn run_cli(bin: &Path, config: &Path, db: &Db, args: &[&str], stdin: Option<&str>) -> Res<()> {
    let mut child = hunyin(bin, Some(config), db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(text)?;
    if let Some(s) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(s.as_bytes()).map_err(text)?;
    }
    let out = child.wait_with_output().map_err(text)?;
    out.status
        .success()
        .then_some(())
        .ok_or_else(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

//! The project's benchmark and survival checks: real `hunyin` processes on loopback, a load
//! generator, and the database read back afterwards. Every speed figure is a ratio to a ceiling
//! measured in the same run; the correctness figures (overbooked seats, lost bookings, lost or
//! duplicated mail) must be 0 and fail the run otherwise.
//!
//!   cargo build --release --bins --examples && target/release/examples/bench   # writes BENCHMARKS.md
//!   target/debug/examples/bench --ci --bin target/debug/hunyin --pg URL  # small scale, for CI
//!
//! Options: --bin PATH (default target/release/hunyin), --pg URL (PostgreSQL server; default
//! postgres://postgres:postgres@127.0.0.1:5432/postgres), --scale F (share of the 5-20 surge,
//! default 0.25), --ci (small scale, surge and survival only, no BENCHMARKS.md).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use hunyin::configuration::Settings;
use hunyin::db::DbConn;
use serde_json::{json, Value};

type Res<T> = Result<T, String>;

/// Makes the signature headers of one partner request (a fresh nonce each time).
type Signer = Arc<dyn Fn() -> Vec<(String, String)> + Send + Sync>;

struct Opts {
    bin: PathBuf,
    pg: String,
    scale: f64,
    ci: bool,
}

fn opts() -> Opts {
    let mut o = Opts {
        bin: PathBuf::from("target/release/hunyin"),
        pg: "postgres://postgres:postgres@127.0.0.1:5432/postgres".into(),
        scale: 0.25,
        ci: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--bin" => o.bin = PathBuf::from(&args[i + 1]),
            "--pg" => o.pg = args[i + 1].clone(),
            "--scale" => o.scale = args[i + 1].parse().expect("--scale F"),
            "--ci" => {
                o.ci = true;
                o.scale = 0.02;
                i += 1;
                continue;
            }
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    o
}

// ---------------------------------------------------------------------------------------------
// Databases and processes

/// A fresh database: a SQLite file in `dir`, or a new PostgreSQL database (dropped at the end).
struct Db {
    url: String,
    pg: Option<(String, String)>,
}

impl Db {
    fn sqlite(dir: &Path, name: &str) -> Db {
        Db {
            url: format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
            pg: None,
        }
    }

    fn postgres(server: &str, name: &str) -> Res<Db> {
        let db = format!("hunyin_bench_{name}_{}", std::process::id());
        let mut admin = PgConnection::establish(server).map_err(|e| e.to_string())?;
        for sql in [
            format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
            format!("CREATE DATABASE {db}"),
        ] {
            admin.batch_execute(&sql).map_err(|e| e.to_string())?;
        }
        let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(server);
        Ok(Db {
            url: format!("{base}/{db}"),
            pg: Some((server.to_owned(), db)),
        })
    }

    fn engine(&self) -> &'static str {
        if self.pg.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    fn connect(&self) -> DbConn {
        let s = settings(&self.url, &[]);
        hunyin::db::Manager::new(&s.database)
            .open()
            .expect("connect")
    }

    fn count(&self, sql: &str) -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let rows: Vec<N> = diesel::sql_query(sql).load(&mut self.connect()).expect(sql);
        rows.first().map(|r| r.n).unwrap_or(0)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((server, db)) = &self.pg {
            if let Ok(mut c) = PgConnection::establish(server) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
            }
        }
    }
}

fn settings(url: &str, env: &[(String, String)]) -> Settings {
    let mut vars: Vec<(String, String)> = vec![("APP__DATABASE__URL".into(), url.into())];
    vars.extend(env.iter().cloned());
    Settings::load(None, vars).expect("settings")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `hunyin serve`.
struct Server {
    child: Child,
    port: u16,
    mail_dir: PathBuf,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn kill9(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    /// Resident memory in KiB: `VmRSS` now, or `VmHWM` (the peak).
    fn memory_kib(&self, field: &str) -> u64 {
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

fn start(
    bin: &Path,
    db: &Db,
    dir: &Path,
    name: &str,
    env: &[(String, String)],
    config: Option<&Path>,
) -> Res<(Server, Duration)> {
    let port = free_port();
    let mail_dir = dir.join(format!("mail-{name}"));
    let log = std::fs::File::create(dir.join(format!("{name}.log"))).map_err(|e| e.to_string())?;
    let began = Instant::now();
    let mut cmd = Command::new(bin);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    let child = cmd
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("APP__DATABASE__URL", &db.url)
        .env("APP__SERVER__PORT", port.to_string())
        .env("APP__MAIL__FILE_DIR", &mail_dir)
        .env("APP__LOG__FILTER", "warn")
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
    let probe = probe(&server.url("/readyz"));
    for _ in 0..4000 {
        if probe() {
            return Ok((server, began.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Err(format!(
        "{name} did not become ready; see {}/{name}.log",
        dir.display()
    ))
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

// ---------------------------------------------------------------------------------------------
// People and load

/// The `n`th distinct person with 苏州 姑苏 hukou (valid GB 11643 number).
fn person(n: u64, male: bool) -> String {
    let seq = n * 2 + u64::from(male);
    let birth = format!(
        "19{:02}{:02}{:02}",
        70 + (seq / 1_000_000) % 25,
        1 + (seq / 1000) % 12,
        1 + (seq / 12_000) % 28
    );
    let body = format!("320508{birth}{:03}", seq % 1000);
    let arr: [u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", hunyin::domain::id_number::check_character(&arr))
}

fn couple(n: u64) -> Value {
    json!([
        {"id_number": person(n, true), "name": "王强", "hukou_division_code": "320508"},
        {"id_number": person(n, false), "name": "李娜", "hukou_division_code": "320508"},
    ])
}

/// Latencies and outcomes of a run.
#[derive(Default)]
struct Outcomes {
    latencies: Vec<Duration>,
    status: BTreeMap<String, u64>,
    created: Vec<String>,
}

impl Outcomes {
    fn percentile(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        l.get(((l.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or_default()
    }
    fn n(&self, key: &str) -> u64 {
        self.status.get(key).copied().unwrap_or(0)
    }
    fn fives(&self) -> u64 {
        self.status
            .iter()
            .filter(|(k, _)| k.starts_with('5'))
            .map(|(_, v)| v)
            .sum()
    }
}

/// Runs `total` requests from `concurrency` tasks; `make(i)` builds request `i`.
async fn drive<F>(
    total: usize,
    concurrency: usize,
    make: F,
    on_progress: Option<(usize, Box<dyn FnOnce() + Send>)>,
) -> Outcomes
where
    F: Fn(usize) -> Option<reqwest::RequestBuilder> + Send + Sync + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let out = Arc::new(Mutex::new(Outcomes::default()));
    let make = Arc::new(make);
    let hook = Arc::new(Mutex::new(on_progress));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (next, out, make, hook) = (next.clone(), out.clone(), make.clone(), hook.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                {
                    let mut h = hook.lock().unwrap();
                    if h.as_ref().is_some_and(|(at, _)| i >= *at) {
                        let (_, f) = h.take().unwrap();
                        f();
                    }
                }
                let Some(req) = make(i) else { break };
                let t = Instant::now();
                let (key, reference) = match req.send().await {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        // Read every body; parse only what is needed (the client shares the
                        // machine's two cores with the servers).
                        let bytes = r.bytes().await.unwrap_or_default();
                        let body: Value = if status == 201 || status >= 400 {
                            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
                        } else {
                            Value::Null
                        };
                        let key = match body["code"].as_str() {
                            Some(code) if status >= 400 => format!("{status} {code}"),
                            _ => status.to_string(),
                        };
                        (
                            key,
                            body["reference"]
                                .as_str()
                                .filter(|_| status == 201)
                                .map(str::to_owned),
                        )
                    }
                    Err(_) => ("connection error".to_owned(), None),
                };
                let dt = t.elapsed();
                let mut o = out.lock().unwrap();
                o.latencies.push(dt);
                *o.status.entry(key).or_default() += 1;
                if let Some(r) = reference {
                    o.created.push(r);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    Arc::try_unwrap(out).ok().unwrap().into_inner().unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        // Below the server's keep-alive (5 s), so that a pooled connection is not reused just
        // as the server closes it.
        .pool_idle_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Requests per second of GET `path` from `concurrency` clients for `secs` seconds.
async fn read_rate(
    url: String,
    secs: f64,
    concurrency: usize,
    sign: Option<Signer>,
) -> (f64, Outcomes) {
    let c = client();
    let began = Instant::now();
    let until = began + Duration::from_secs_f64(secs);
    let out = drive(
        usize::MAX / 2,
        concurrency,
        move |_| {
            if Instant::now() >= until {
                return None;
            }
            let mut rb = c.get(&url);
            if let Some(sign) = &sign {
                for (n, v) in sign() {
                    rb = rb.header(n, v);
                }
            }
            Some(rb)
        },
        None,
    );
    // `drive` stops when make() returns None for every index; bound it by time instead.
    let out = tokio::time::timeout(Duration::from_secs_f64(secs + 30.0), out)
        .await
        .unwrap_or_default();
    let n = out.latencies.len() as f64;
    (n / began.elapsed().as_secs_f64(), out)
}

// ---------------------------------------------------------------------------------------------
// Scenarios

struct Table {
    rows: Vec<[String; 4]>,
}

impl Table {
    fn row(&mut self, what: &str, value: String, ceiling: String, ratio: String) {
        println!("{what:<58} {value:>18} {ceiling:>18} {ratio:>8}");
        self.rows.push([what.into(), value, ceiling, ratio]);
    }
}

fn pct(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.0} %", 100.0 * a / b)
    } else {
        "-".into()
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn bench_env() -> Vec<(String, String)> {
    vec![
        ("APP__RATE_LIMIT__ENABLED".into(), "false".into()),
        ("APP__BOOKING__CAPACITY".into(), "1000".into()),
        ("APP__DATABASE__MAX_CONNECTIONS".into(), "16".into()),
    ]
}

/// Booking over HTTP against the same booking transaction in-process (one hot slot).
async fn booking_vs_ceiling(o: &Opts, db: &Db, dir: &Path, t: &mut Table, n: usize) -> Res<()> {
    let env = bench_env();
    let s = settings(&db.url, &env);
    let mut conn = db.connect();
    hunyin::seed::prepare(&mut conn, &s)?;
    let policy = hunyin::seed::load_policy(&s)?;
    let scheduling = hunyin::scheduling::Scheduling::from_settings(&s.booking)?;
    let mail_from = s.mail.from.parse().map_err(|e| format!("{e}"))?;
    let directory = hunyin::partner::Directory::default();
    let rules = hunyin::booking::Rules {
        policy: &policy,
        scheduling: &scheduling,
        mail_from: &mail_from,
        reminder_hours: 24,
        region_prefix: "32",
        directory: &directory,
    };
    let now = || {
        chrono::Utc::now()
            .with_timezone(&hunyin::clock::shanghai())
            .naive_local()
    };
    let today = hunyin::clock::today();
    let listed = hunyin::booking::list_slots(
        &mut conn,
        &rules,
        "sz-gusu",
        today,
        today + chrono::Duration::days(14),
        now(),
    )
    .map_err(|e| e.to_string())?;
    // Two hot slots: one for the in-process loop, one for HTTP (a slot holds at most 1,000).
    let (slot, http_slot) = match &listed[..] {
        [a, b, ..] => (a.id.clone(), b.id.clone()),
        _ => return Err("fewer than two slots".into()),
    };
    let began = Instant::now();
    for i in 0..n {
        let p: Vec<hunyin::domain::eligibility::Party> = [true, false]
            .iter()
            .map(|&male| hunyin::domain::eligibility::Party {
                id_number: hunyin::domain::IdNumber::parse(
                    &person(1_000_000 + i as u64, male),
                    today,
                )
                .unwrap(),
                name: "王强".into(),
                hukou: hunyin::domain::DivisionCode::parse("320508").unwrap(),
                residence_permit: None,
            })
            .collect();
        let req = hunyin::booking::BookingRequest {
            office_id: "sz-gusu".into(),
            slot_id: slot.clone(),
            parties: [p[0].clone(), p[1].clone()],
            email: "couple@example.com".into(),
            phone: None,
        };
        hunyin::booking::book(&mut conn, &rules, &req, now()).map_err(|e| e.to_string())?;
    }
    let ceiling = n as f64 / began.elapsed().as_secs_f64();
    drop(conn);

    let (server, _) = start(
        &o.bin,
        db,
        dir,
        &format!("http-{}", db.engine()),
        &env,
        None,
    )?;
    let c = client();
    let url = server.url("/v1/appointments");
    let slot2 = http_slot;
    let began = Instant::now();
    let out = drive(
        n,
        16,
        move |i| {
            Some(c.post(&url).json(&json!({
                "office_id": "sz-gusu", "slot_id": slot2, "parties": couple(2_000_000 + i as u64),
                "contact": {"email": "couple@example.com"},
            })))
        },
        None,
    )
    .await;
    let rate = out.n("201") as f64 / began.elapsed().as_secs_f64();
    if out.n("201") as usize != n {
        return Err(format!("HTTP booking: {:?}", out.status));
    }
    t.row(
        &format!(
            "booking, {}: bookings/s (HTTP, 16 clients) vs in-process",
            db.engine()
        ),
        format!(
            "{rate:.0}/s p50 {} p99 {}",
            ms(out.percentile(0.5)),
            ms(out.percentile(0.99))
        ),
        format!("{ceiling:.0}/s"),
        pct(rate, ceiling),
    );
    drop(server);
    Ok(())
}

/// A server with the partner protocol on, one registered couple, and our key as "henan".
async fn reads_and_signatures(o: &Opts, dir: &Path, t: &mut Table) -> Res<(u64, u64)> {
    let db = Db::sqlite(dir, "reads");
    let key = hunyin::partner::keys::generate()?;
    let own = hunyin::partner::keys::generate()?;
    let key_path = dir.join("reads-key.pem");
    std::fs::write(&key_path, hunyin::partner::keys::private_to_pem(&own))
        .map_err(|e| e.to_string())?;
    let config = dir.join("reads.toml");
    std::fs::write(&config, format!(
        "[partner]\nkey_id = \"jiangsu-bench\"\nprivate_key_file = \"{}\"\n[[partner.peers]]\nname = \"henan\"\nprefixes = [\"41\"]\n\
         base_url = \"http://127.0.0.1:9\"\nkey_id = \"henan-bench\"\npublic_key = \"{}\"\noperations = [\"registration_status\"]\n",
        key_path.display(), hunyin::partner::keys::public_to_text(&key.verifying_key()))).map_err(|e| e.to_string())?;
    let env = bench_env();
    // One registered couple: residents, a registrar, a walk-in, checks, declarations, registration.
    let csv_path = dir.join("reads-residents.csv");
    std::fs::write(&csv_path, format!(
        "id_number,name,sex,birth_date,hukou_division_code,marital_status\n{},王强,male,{},320508,unmarried\n{},李娜,female,{},320508,unmarried\n",
        person(7, true), birth_of(&person(7, true)), person(7, false), birth_of(&person(7, false)))).map_err(|e| e.to_string())?;
    let cli = |args: &[&str], stdin: Option<&str>| -> Res<()> {
        let mut c = Command::new(&o.bin);
        c.arg("--config")
            .arg(&config)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("APP__DATABASE__URL", &db.url)
            .env("APP__LOG__FILTER", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = c.spawn().map_err(|e| e.to_string())?;
        if let Some(s) = stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(s.as_bytes())
                .map_err(|e| e.to_string())?;
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        out.status
            .success()
            .then_some(())
            .ok_or_else(|| String::from_utf8_lossy(&out.stderr).into_owned())
    };
    cli(&["migrate"], None)?;
    cli(&["household", "import", csv_path.to_str().unwrap()], None)?;
    cli(
        &[
            "staff",
            "add",
            "--office",
            "sz-gusu",
            "--role",
            "registrar",
            "--username",
            "bench",
            "--name",
            "测",
        ],
        Some("bench-password\n"),
    )?;
    let cold = {
        let mut v = Vec::new();
        for i in 0..5 {
            let d = Db::sqlite(dir, &format!("cold{i}"));
            let (s, took) = start(&o.bin, &d, dir, &format!("cold{i}"), &[], None)?;
            drop(s);
            v.push(took);
        }
        v.sort();
        v[2]
    };
    let (server, _) = start(&o.bin, &db, dir, "reads", &env, Some(&config))?;
    let idle = server.memory_kib("VmRSS");
    let c = client();
    let token = c
        .post(server.url("/v1/registrar/sessions"))
        .json(&json!({"username": "bench", "password": "bench-password"}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json::<Value>()
        .await
        .map_err(|e| e.to_string())?["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let post = |path: String, body: Value| {
        let (c, token) = (c.clone(), token.clone());
        async move {
            c.post(path)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json::<Value>()
                .await
                .map_err(|e| e.to_string())
        }
    };
    let walk = post(
        server.url("/v1/registrar/offices/sz-gusu/walk-ins"),
        json!({"parties": couple(7)}),
    )
    .await?;
    let r = walk["reference"]
        .as_str()
        .ok_or(format!("walk-in: {walk}"))?
        .to_owned();
    post(
        server.url(&format!("/v1/registrar/applications/{r}/household-checks")),
        json!({}),
    )
    .await?;
    for p in 0..2 {
        post(server.url(&format!("/v1/registrar/applications/{r}/declarations")), json!({"party": p, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": true})).await?;
    }
    let reg = post(
        server.url(&format!("/v1/registrar/applications/{r}/registration")),
        json!({"both_parties_present": true}),
    )
    .await?;
    let number = reg["certificate_number"]
        .as_str()
        .ok_or(format!("registration: {reg}"))?
        .to_owned();

    let secs = if o.ci { 1.0 } else { 5.0 };
    let (bare, _) = read_rate(server.url("/healthz"), secs, 16, None).await;
    let (slots, out) = read_rate(server.url("/v1/offices/sz-gusu/slots"), secs, 16, None).await;
    t.row(
        "GET /v1/offices/{id}/slots (listing cache 1 s) vs bare GET /healthz",
        format!("{slots:.0}/s p99 {}", ms(out.percentile(0.99))),
        format!("{bare:.0}/s"),
        pct(slots, bare),
    );
    // The same without the cache (a second server on the same database), and the floor of any
    // route that reads the database: one office by id.
    let mut uncached_env = env.clone();
    uncached_env.push(("APP__BOOKING__LISTING_CACHE_MS".into(), "0".into()));
    let (uncached, _) = start(
        &o.bin,
        &db,
        dir,
        "reads-uncached",
        &uncached_env,
        Some(&config),
    )?;
    let (raw, out) = read_rate(uncached.url("/v1/offices/sz-gusu/slots"), secs, 16, None).await;
    t.row(
        "GET /v1/offices/{id}/slots (no cache: a month of slots) vs bare",
        format!("{raw:.0}/s p99 {}", ms(out.percentile(0.99))),
        format!("{bare:.0}/s"),
        pct(raw, bare),
    );
    let (office, out) = read_rate(uncached.url("/v1/offices/sz-gusu"), secs, 16, None).await;
    t.row(
        "GET /v1/offices/{id} (one indexed read) vs bare",
        format!("{office:.0}/s p99 {}", ms(out.percentile(0.99))),
        format!("{bare:.0}/s"),
        pct(office, bare),
    );
    drop(uncached);
    let target = server.url(&format!("/v1/partner/registrations/{number}"));
    let sign = {
        let (key, target) = (key.clone(), target.clone());
        Arc::new(move || signed_get(&key, &target)) as Signer
    };
    let (partner, out) = read_rate(target.clone(), secs, 16, Some(sign.clone())).await;
    if out.n("200") == 0 {
        return Err(format!("partner reads: {:?}", out.status));
    }
    t.row(
        "GET /v1/partner/registrations/{n} (signed, verified, nonce stored) vs bare",
        format!("{partner:.0}/s p99 {}", ms(out.percentile(0.99))),
        format!("{bare:.0}/s"),
        pct(partner, bare),
    );
    // Signing and verifying one request, in process, against its round trip.
    let n = 2000;
    let began = Instant::now();
    for _ in 0..n {
        let headers = signed_get(&key, &target);
        let req = hunyin::partner::httpsig::RequestParts {
            method: "GET".into(),
            target_uri: target.clone(),
            headers,
        };
        let got = hunyin::partner::httpsig::read(&req.headers).map_err(|e| e.to_string())?;
        hunyin::partner::httpsig::verify(
            hunyin::partner::httpsig::Message::Request(&req),
            &got,
            &key.verifying_key(),
        )
        .map_err(|e| e.to_string())?;
    }
    let sign_verify = began.elapsed() / n;
    let (_, one) = read_rate(target, secs.min(2.0), 1, Some(sign)).await;
    let rtt = one.percentile(0.5);
    t.row(
        "sign + verify one partner request vs its round trip (p50)",
        format!("{:.0} µs", sign_verify.as_secs_f64() * 1e6),
        ms(rtt),
        pct(sign_verify.as_secs_f64(), rtt.as_secs_f64()),
    );
    t.row(
        "cold start to first /readyz 200 (empty SQLite, median of 5)",
        ms(cold),
        "-".into(),
        "-".into(),
    );
    let peak = server.memory_kib("VmHWM");
    Ok((idle, peak))
}

fn birth_of(id: &str) -> String {
    format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14])
}

fn signed_get(key: &ed25519_dalek::SigningKey, target: &str) -> Vec<(String, String)> {
    use hunyin::partner::httpsig;
    let now = chrono::Utc::now().timestamp();
    let mut req = httpsig::RequestParts {
        method: "GET".into(),
        target_uri: target.into(),
        headers: vec![("content-digest".into(), httpsig::content_digest(b""))],
    };
    let nonce = uuid::Uuid::new_v4().to_string();
    let (input, sig) = httpsig::sign(
        httpsig::Message::Request(&req),
        key,
        &httpsig::SignSpec {
            label: "sig1",
            components: httpsig::components(&["@method", "@target-uri", "content-digest"]),
            created: now,
            expires: now + 60,
            keyid: "henan-bench",
            nonce: &nonce,
        },
    )
    .unwrap();
    req.headers.push(("signature-input".into(), input));
    req.headers.push(("signature".into(), sig));
    req.headers
}

/// The 5-20 surge: `offices` offices, `seats` seats on one day, `attempts` bookings by distinct
/// couples from many clients, against `instances` servers on one database; optionally kill -9
/// one of them at 40 % of the attempts. Then the database and the mail are read back.
#[allow(clippy::too_many_arguments)]
async fn surge(
    o: &Opts,
    db: &Db,
    dir: &Path,
    t: &mut Table,
    instances: usize,
    kill: bool,
    label: &str,
) -> Res<u64> {
    let offices = 100usize;
    let per_office_seats = ((200.0 * o.scale).round() as usize).max(10);
    let capacity = per_office_seats / 10;
    let seats = offices * capacity * 10;
    let attempts = seats * 3;
    // 100 offices of 江苏.
    let codes: Vec<String> = include_str!("../data/gb2260.tsv")
        .lines()
        .filter(|l| l.starts_with("32") && l.contains("current") && !l[..6].ends_with("00"))
        .map(|l| l[..6].to_owned())
        .collect();
    let codes: Vec<String> = codes.iter().cycle().take(offices).cloned().collect();
    let mut file = String::new();
    for (i, code) in codes.iter().enumerate() {
        file.push_str(&format!("[[office]]\nid = \"o-{i:03}\"\nname = \"婚姻登记处 {i}\"\ndivision_code = \"{code}\"\naddress = \"-\"\nphone = \"-\"\n\n"));
    }
    let offices_file = dir.join(format!("offices-{}.toml", label.replace([' ', ','], "-")));
    std::fs::write(&offices_file, file).map_err(|e| e.to_string())?;
    let config = dir.join(format!("surge-{}.toml", label.replace([' ', ','], "-")));
    std::fs::write(&config, format!(
        "[rules]\noffices_file = \"{}\"\n[booking]\nperiods = [\"09:00-12:00\", \"13:00-15:00\"]\ncapacity = {capacity}\n\
         [rate_limit]\ntrust_forwarded_for = true\nper_minute = 20\nburst = 10\n\
         [outbox]\nlease_secs = 5\npoll_interval_ms = 200\nbatch_size = 50\n[database]\nmax_connections = 12\n",
        offices_file.display())).map_err(|e| e.to_string())?;
    let env: Vec<(String, String)> = Vec::new();
    let mut servers = Vec::new();
    for i in 0..instances {
        // The first instance migrates and seeds before the others start.
        let name = format!("{}-{i}", label.replace([' ', ','], "-"));
        servers.push(start(&o.bin, db, dir, &name, &env, Some(&config))?.0);
    }
    let c = client();
    let listing: Value = c
        .get(servers[0].url("/v1/offices/o-000/slots"))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let ids: Vec<&str> = listing["slots"]
        .as_array()
        .ok_or("no slots")?
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    // The first day whose ten slots are all still bookable.
    let day = ids
        .iter()
        .map(|id| &id[6..14])
        .find(|d| ids.iter().filter(|id| &id[6..14] == *d).count() == 10)
        .ok_or("no day with 10 bookable slots")?
        .to_owned();
    let day_slots: Vec<String> = ids
        .iter()
        .filter(|id| id[6..14] == day)
        .map(|id| id[6..].to_owned())
        .collect();
    let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
    let alive = Arc::new(Mutex::new(vec![true; instances]));
    let clients = (attempts / 12).max(50);
    let c2 = c.clone();
    let alive2 = alive.clone();
    let make = move |i: usize| {
        // Every seat gets three attempts, spread over offices and time (7919 is prime).
        let k = (i * 7919) % (offices * 10);
        let (office, slot) = (k / 10, &day_slots[k % 10]);
        let a = alive2.lock().unwrap();
        let live: Vec<u16> = ports
            .iter()
            .zip(a.iter())
            .filter(|(_, ok)| **ok)
            .map(|(p, _)| *p)
            .collect();
        let port = live[i % live.len()];
        let client = i % clients;
        Some(c2.post(format!("http://127.0.0.1:{port}/v1/appointments"))
            .header("x-forwarded-for", format!("10.{}.{}.{}", client / 65536, (client / 256) % 256, client % 256))
            .json(&json!({
                "office_id": format!("o-{office:03}"), "slot_id": format!("o-{office:03}.{slot}"),
                "parties": couple(10_000_000 + i as u64), "contact": {"email": "couple@example.com"},
            })))
    };
    let killed: Arc<Mutex<Option<usize>>> = Arc::new(Mutex::new(None));
    let victim_pid = servers[0].child.id();
    let hook: Option<(usize, Box<dyn FnOnce() + Send>)> = kill.then(|| {
        let (alive, killed) = (alive.clone(), killed.clone());
        let f: Box<dyn FnOnce() + Send> = Box::new(move || {
            let _ = Command::new("kill")
                .args(["-9", &victim_pid.to_string()])
                .status();
            alive.lock().unwrap()[0] = false;
            *killed.lock().unwrap() = Some(0);
        });
        (attempts * 2 / 5, f)
    });
    let began = Instant::now();
    let out = drive(attempts, 64, make, hook).await;
    let took = began.elapsed();
    if kill {
        let _ = servers[0].child.wait();
    }
    // Read back: every 2xx booking exists, no seat overbooked.
    let made = out.created.len() as i64;
    let refs: HashSet<&String> = out.created.iter().collect();
    let stored =
        db.count("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM appointments WHERE status = 'booked'");
    let overbooked = db.count("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM slots s WHERE s.booked > s.capacity \
        OR (SELECT COUNT(*) FROM appointments a WHERE a.slot_id = s.id AND a.status = 'booked') > s.capacity");
    let mut conn = db.connect();
    let mut missing = 0;
    for chunk in out.created.chunks(500) {
        use hunyin::schema::appointments::dsl;
        let found: i64 = dsl::appointments
            .filter(dsl::reference.eq_any(chunk))
            .count()
            .get_result(&mut conn)
            .map_err(|e| e.to_string())?;
        missing += chunk.len() as i64 - found;
    }
    // Every confirmation mail delivered (by the survivors too), once.
    let deadline = Instant::now() + Duration::from_secs(90);
    while db.count("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM outbox WHERE kind = 'email' AND delivered_at IS NULL AND failed_at IS NULL") > 0 {
        if Instant::now() > deadline {
            return Err("the outbox did not drain in 90 s".into());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let mut mails = 0;
    let mut mailed: BTreeMap<String, u32> = BTreeMap::new();
    for s in &servers {
        for e in std::fs::read_dir(&s.mail_dir)
            .into_iter()
            .flatten()
            .flatten()
        {
            if e.path().extension().is_none_or(|x| x != "eml") {
                continue;
            }
            let raw = std::fs::read(e.path()).unwrap_or_default();
            let subject = mail_parser::MessageParser::default()
                .parse(&raw)
                .and_then(|m| m.subject().map(str::to_owned))
                .unwrap_or_default();
            mails += 1;
            if let Some(i) = subject.find("AP-") {
                *mailed.entry(subject[i..i + 9].to_owned()).or_default() += 1;
            }
        }
    }
    let unmailed = refs
        .iter()
        .filter(|r| !mailed.contains_key(r.as_str()))
        .count();
    let duplicates: u32 = mailed.values().map(|n| n - 1).sum();
    let fives = out.fives();
    println!(
        "  {label}: {attempts} attempts in {:.1} s over {instances} instance(s){}; {:?}",
        took.as_secs_f64(),
        if kill { ", one killed at 40 %" } else { "" },
        out.status
    );
    t.row(
        &format!(
            "5-20 surge, {label}: bookings made / seats ({} offices)",
            offices
        ),
        format!("{made} / {seats}"),
        format!("left {}", seats as i64 - stored),
        format!("{:.0}/s", attempts as f64 / took.as_secs_f64()),
    );
    t.row(
        &format!("  {label}: 409 full/booked, 429, 5xx, connection errors"),
        format!(
            "{} {} {} {}",
            out.n("409 slot_full") + out.n("409 already_booked"),
            out.n("429 too_many_requests"),
            fives,
            out.n("connection error")
        ),
        format!(
            "p50 {} p99 {}",
            ms(out.percentile(0.5)),
            ms(out.percentile(0.99))
        ),
        "-".into(),
    );
    t.row(
        &format!("  {label}: overbooked seats, lost 2xx bookings, unmailed, duplicate mails"),
        format!("{overbooked} {missing} {unmailed} {duplicates}"),
        format!("{mails} mails"),
        "-".into(),
    );
    let mut failures = Vec::new();
    if overbooked != 0 {
        failures.push(format!("{overbooked} overbooked slots"));
    }
    if missing != 0 {
        failures.push(format!("{missing} confirmed bookings missing"));
    }
    if stored != made {
        failures.push(format!("{stored} booked in the database, {made} confirmed"));
    }
    if unmailed != 0 {
        failures.push(format!("{unmailed} bookings without their mail"));
    }
    if fives != 0 {
        failures.push(format!("{fives} 5xx answers"));
    }
    if stored != seats as i64 {
        failures.push(format!("{} seats left", seats as i64 - stored));
    }
    if !failures.is_empty() {
        return Err(format!("{label}: {}", failures.join("; ")));
    }
    let peak = servers
        .iter()
        .skip(usize::from(kill))
        .map(|s| s.memory_kib("VmHWM"))
        .max()
        .unwrap_or(0);
    Ok(peak)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("?")
        .trim()
        .to_owned();
    let cores = cpu.lines().filter(|l| l.starts_with("processor")).count();
    let mem = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let total = mem
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
        / 1024;
    format!("{cores} cores ({model}), {total} GiB")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = opts();
    if !o.bin.exists() {
        eprintln!(
            "{} does not exist: cargo build --release first",
            o.bin.display()
        );
        std::process::exit(2);
    }
    let dir = std::env::temp_dir().join(format!("hunyin-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut t = Table { rows: Vec::new() };
    println!(
        "{:<58} {:>18} {:>18} {:>8}",
        "measure", "value", "ceiling / base", "ratio"
    );
    let result: Res<()> = async {
        let scale_note = format!(
            "scale {} of the 5-20 surge (20,000 seats, 60,000 attempts)",
            o.scale
        );
        let mut memory = None;
        if !o.ci {
            let n = 1000;
            let sqlite = Db::sqlite(&dir, "ceiling");
            booking_vs_ceiling(&o, &sqlite, &dir, &mut t, n).await?;
            let pg = Db::postgres(&o.pg, "ceiling")?;
            booking_vs_ceiling(&o, &pg, &dir, &mut t, n).await?;
            memory = Some(reads_and_signatures(&o, &dir, &mut t).await?);
        }
        let sqlite = Db::sqlite(&dir, "surge");
        let peak = surge(&o, &sqlite, &dir, &mut t, 1, false, "SQLite, 1 instance").await?;
        let pg = Db::postgres(&o.pg, "surge3")?;
        surge(&o, &pg, &dir, &mut t, 3, false, "PostgreSQL, 3 instances").await?;
        let pgk = Db::postgres(&o.pg, "kill")?;
        surge(
            &o,
            &pgk,
            &dir,
            &mut t,
            3,
            true,
            "PostgreSQL, 3 instances, kill -9",
        )
        .await?;
        if let Some((idle, reads_peak)) = memory {
            t.row(
                "resident memory: idle / peak (reads server) / peak (surge, SQLite)",
                format!("{} / {} MiB", idle / 1024, reads_peak / 1024),
                format!("{} MiB", peak / 1024),
                "-".into(),
            );
            write_report(&o, &t, &scale_note);
        }
        Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("bench FAILED: {e}");
        std::process::exit(1);
    }
    println!("bench passed");
}

fn write_report(o: &Opts, t: &Table, scale: &str) {
    let mut md = String::from("# Benchmarks\n\nWritten by `target/release/examples/bench` (see README, Measuring). Every speed figure \
        is a ratio to a ceiling measured in the same run on the same machine; the correctness figures must be 0.\n\n");
    md.push_str(&format!("- date: {}\n- machine: {}\n- command: `cargo build --release --bins --examples && target/release/examples/bench --scale {}`\n- {scale}\n- PostgreSQL: {}\n\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"), machine(), o.scale, o.pg.split('@').next_back().unwrap_or("")));
    md.push_str("| measure | value | ceiling / base | ratio |\n|---|---|---|---|\n");
    for r in &t.rows {
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r[0].trim(),
            r[1],
            r[2],
            r[3]
        ));
    }
    md.push_str(NOTES);
    // The hand-written findings (what the runs exposed, before and after) are kept.
    let previous = std::fs::read_to_string("BENCHMARKS.md").unwrap_or_default();
    if let Some(i) = previous.find("\n## Findings") {
        md.push_str(&previous[i..]);
    }
    std::fs::write("BENCHMARKS.md", md).expect("write BENCHMARKS.md");
    println!("wrote BENCHMARKS.md");
}

const NOTES: &str = "\n## How to read it\n\n\
- *booking*: distinct couples booking one hot slot; the ceiling is `booking::book` — the same transaction \
(slot row, conditional seat update, appointment, parties, outbox mail, audit) — called in a loop on one \
connection in the benchmark process, no HTTP.\n\
- *reads*: 16 clients for a few seconds against one server; the base is `GET /healthz` of the same server.\n\
- *surge*: 100 offices with 10 slots each on one day; three attempts per seat, each by a distinct couple for a \
random office and slot, from 64 concurrent connections posing as many clients (`X-Forwarded-For`, limits 20/min, \
burst 10). Afterwards the database and the mail folders are read back: every 2xx booking must exist, no slot may \
hold more than its capacity, every booking's confirmation must have been mailed; duplicates are counted.\n\
- *kill -9*: at 40 % of the attempts one of the three instances is killed; its claimed outbox messages are taken \
over by the survivors when their lease (5 s here) ends.\n";

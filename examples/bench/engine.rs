//! The engine's own ceiling and what one booking asks of it, in-process: the raw conditional
//! seat update through the service's pool and `write_tx`, the booking transaction on 16 pooled
//! connections at once, and the statements and round trips of one booking counted by diesel's
//! instrumentation. With `inprocess`, the only modules that call the `hunyin` library.
//!
//! Used: `hunyin::{configuration::Settings, wiring::db_config}`; `hunyin_store::{build_pool,
//! write_tx, slots::take_seat, DbConn}`; diesel's `Instrumentation`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use hunyin::wiring;
use hunyin_store::{self as store, DbConn};

use crate::inprocess::settings;
use crate::{text, Res};

/// Connections (and threads) of the raw ceiling and of the concurrent in-process booking.
pub const CONNECTIONS: usize = 16;

/// The slot row only the raw ceiling updates: of the seeded office 姑苏, far in the future, with
/// seats enough for any run.
const RAW_SLOT: &str = "sz-gusu.raw-ceiling";

/// Transactions per second of one conditional seat update each
/// (`UPDATE slots SET booked = booked + 1 WHERE id = ? AND booked < capacity`, the service's
/// `slots::take_seat`), in the service's `write_tx`, by 16 threads on 16 connections of a pool
/// built from the service's own `DbConfig`, for `secs` seconds. The database must be seeded.
pub fn raw_ceiling(url: &str, env: &[(String, String)], secs: f64) -> Res<f64> {
    let s = settings(url, env);
    let mut cfg = wiring::db_config(&s);
    cfg.max_connections = CONNECTIONS as u32;
    let pool = store::build_pool(&cfg);
    {
        let mut conn = pool.get().map_err(text)?;
        raw_slot(&mut conn)?;
    }
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let began = Instant::now();
    let threads: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (pool, done, stop) = (pool.clone(), done.clone(), stop.clone());
            std::thread::spawn(move || -> Res<()> {
                let mut conn = pool.get().map_err(text)?;
                while !stop.load(Ordering::Relaxed) {
                    let took = store::write_tx(&mut conn, |c| store::slots::take_seat(c, RAW_SLOT))
                        .map_err(text)?;
                    if !took {
                        return Err("the raw ceiling's slot is full".into());
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(secs));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().map_err(|_| "raw ceiling thread panicked")??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / began.elapsed().as_secs_f64())
}

fn raw_slot(conn: &mut DbConn) -> Res<()> {
    use hunyin_store::schema::slots::dsl;
    let at = chrono::NaiveDate::from_ymd_opt(2099, 1, 1)
        .unwrap()
        .and_hms_opt(1, 0, 0)
        .unwrap();
    diesel::delete(dsl::slots.filter(dsl::id.eq(RAW_SLOT)))
        .execute(conn)
        .map_err(text)?;
    diesel::insert_into(dsl::slots)
        .values((
            dsl::id.eq(RAW_SLOT),
            dsl::office_id.eq("sz-gusu"),
            dsl::starts_at.eq(at),
            dsl::ends_at.eq(at + chrono::Duration::minutes(30)),
            dsl::capacity.eq(i32::MAX),
            dsl::booked.eq(0),
        ))
        .execute(conn)
        .map_err(text)?;
    Ok(())
}

/// Runs `work(i, conn)` for `i` in `0..n` on 16 threads, each on a connection of a pool built
/// from the service's `DbConfig`; returns calls per second.
pub fn concurrently(
    url: &str,
    env: &[(String, String)],
    n: usize,
    work: impl Fn(usize, &mut DbConn) -> Res<()> + Send + Sync + 'static,
) -> Res<f64> {
    let s = settings(url, env);
    let mut cfg = wiring::db_config(&s);
    cfg.max_connections = CONNECTIONS as u32;
    let pool = store::build_pool(&cfg);
    let next = Arc::new(AtomicU64::new(0));
    let work = Arc::new(work);
    let began = Instant::now();
    let threads: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (pool, next, work) = (pool.clone(), next.clone(), work.clone());
            std::thread::spawn(move || -> Res<()> {
                let mut conn = pool.get().map_err(text)?;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    if i >= n {
                        return Ok(());
                    }
                    work(i, &mut conn)?;
                }
            })
        })
        .collect();
    for t in threads {
        t.join().map_err(|_| "booking thread panicked")??;
    }
    Ok(n as f64 / began.elapsed().as_secs_f64())
}

/// What diesel reported of the statements run on one connection.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Counts {
    /// Statements sent (prepared ones and simple ones such as `BEGIN`).
    pub statements: u64,
    /// Of them, from `BEGIN` to `COMMIT` (or `ROLLBACK`) of the outer transaction, both included.
    pub in_tx: u64,
    /// Statements prepared for the connection's statement cache (a round trip of its own on
    /// PostgreSQL).
    pub prepared: u64,
    /// Prepared statements diesel does not cache: prepared again every time (one more round trip
    /// each on PostgreSQL).
    pub uncached: u64,
}

impl Counts {
    /// Round trips to a PostgreSQL server: one per statement, one more per preparation.
    pub fn pg_round_trips(&self) -> u64 {
        self.statements + self.prepared + self.uncached
    }

    pub fn minus(&self, o: &Counts) -> Counts {
        Counts {
            statements: self.statements - o.statements,
            in_tx: self.in_tx - o.in_tx,
            prepared: self.prepared - o.prepared,
            uncached: self.uncached - o.uncached,
        }
    }
}

#[derive(Default)]
struct Tally {
    counts: Counts,
    /// SQL of the statements in the connection's cache.
    cached: HashSet<String>,
    /// The running statement was prepared for the cache just now.
    preparing: bool,
    in_tx: bool,
    closing: bool,
}

/// Counts what the connection runs from now on; read the counts with the returned handle.
/// Install it on a fresh connection, before its first statement: a statement counts as cached
/// only once its preparation was seen.
pub fn instrument(conn: &mut DbConn) -> Arc<Mutex<Counts>> {
    let shared = Arc::new(Mutex::new(Counts::default()));
    let out = shared.clone();
    let mut t = Tally::default();
    let tally = move |e: InstrumentationEvent<'_>| {
        match e {
            InstrumentationEvent::BeginTransaction { depth, .. } if depth.get() == 1 => {
                t.in_tx = true;
            }
            InstrumentationEvent::CommitTransaction { depth, .. }
            | InstrumentationEvent::RollbackTransaction { depth, .. }
                if depth.get() == 1 =>
            {
                t.closing = true;
            }
            InstrumentationEvent::StartQuery { .. } => {
                t.counts.statements += 1;
                t.preparing = false;
                if t.in_tx {
                    t.counts.in_tx += 1;
                }
            }
            InstrumentationEvent::CacheQuery { sql, .. } => {
                t.preparing = true;
                t.counts.prepared += 1;
                t.cached.insert(sql.to_owned());
            }
            InstrumentationEvent::FinishQuery { query, .. } => {
                let shown = query.to_string();
                // A prepared statement shows its binds; a simple one (BEGIN, COMMIT) does not.
                if let Some((sql, _)) = shown.split_once(" -- binds: ") {
                    if !t.preparing && !t.cached.contains(sql) {
                        t.counts.uncached += 1;
                    }
                }
                if t.closing {
                    t.in_tx = false;
                    t.closing = false;
                }
                *shared.lock().unwrap() = t.counts;
            }
            _ => {}
        }
    };
    match conn {
        DbConn::Pg(c) => c.set_instrumentation(tally),
        DbConn::Sqlite(c) => c.set_instrumentation(tally),
    }
    out
}

/// Drops the counter.
pub fn uninstrument(conn: &mut DbConn) {
    let none: Option<Box<dyn Instrumentation>> = None;
    match conn {
        DbConn::Pg(c) => c.set_instrumentation(none),
        DbConn::Sqlite(c) => c.set_instrumentation(none),
    }
}

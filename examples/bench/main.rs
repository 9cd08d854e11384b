//! The project's benchmark and survival checks: real `hunyin` processes on loopback, a load
//! generator, and the database read back afterwards. Every speed figure is a ratio to a ceiling
//! measured in the same run; the correctness figures (overbooked seats, lost bookings, lost
//! mail, public reads answered 5xx) must be 0 and fail the run otherwise.
//!
//!   cargo build --release --bins --examples && target/release/examples/bench   # writes BENCHMARKS.md
//!   target/debug/examples/bench --ci --bin target/debug/hunyin --pg URL  # small scale, for CI
//!
//! Options: see `cli.rs`. The modules: `cli` (arguments), `instances` (databases and server
//! processes), `people` (distinct couples), `load` (the load generator), `booking` (HTTP against
//! the in-process ceiling), `reads` and `registered` (read routes on a registered couple),
//! `starvation` and `hanging` (public reads during a sign-in flood and a partner that never
//! answers), `surge`, `survival` (kill -9, and restart of a single instance) and `readback`
//! (the 5-20 surge and its checks), `report` (the table and BENCHMARKS.md), and `inprocess`
//! and `engine` (the raw ceiling, bookings on 16 connections, statements counted), the only
//! modules that call the `hunyin` library.

mod booking;
mod cli;
mod confirm;
mod engine;
mod hanging;
mod inprocess;
mod instances;
mod load;
mod people;
mod readback;
mod reads;
mod registered;
mod report;
mod starvation;
mod surge;
mod survival;

use std::path::Path;

use cli::Opts;
use instances::Db;
use report::Table;
use surge::Surge;

type Res<T> = Result<T, String>;

/// For `map_err`: the bench reports every failure as text and exits 1.
fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = cli::opts();
    if !o.bin.exists() {
        eprintln!(
            "{} does not exist: cargo build --release first",
            o.bin.display()
        );
        std::process::exit(2);
    }
    let dir = std::env::temp_dir().join(format!("hunyin-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut t = Table::default();
    report::print_header();
    let result = run(&o, &dir, &mut t).await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("bench FAILED: {e}");
        std::process::exit(1);
    }
    println!("bench passed");
}

/// The full run measures ceilings, reads and memory and writes BENCHMARKS.md; `--ci` only
/// checks that the surges lose and overbook nothing; `--starvation`, `--reads` and `--booking`
/// measure only that part (no BENCHMARKS.md).
async fn run(o: &Opts, dir: &Path, t: &mut Table) -> Res<()> {
    if o.starvation {
        starvation::public_reads_under_pressure(o, dir, t).await?;
        return t.failed();
    }
    if o.reads {
        reads::reads_and_signatures(o, dir, t).await?;
        return t.failed();
    }
    if o.booking {
        bookings(o, dir, t).await?;
        return t.failed();
    }
    let memory = if o.ci {
        None
    } else {
        Some(ceilings_and_reads(o, dir, t).await?)
    };
    let surge_peak = surges(o, dir, t).await?;
    if let Some((idle, reads_peak)) = memory {
        report::memory_row(t, idle, reads_peak, surge_peak);
        report::write(o, t);
    }
    t.failed()
}

/// Booking against its in-process ceiling on both engines, then the read routes; returns the
/// reads server's idle and peak memory (KiB).
async fn ceilings_and_reads(o: &Opts, dir: &Path, t: &mut Table) -> Res<(u64, u64)> {
    bookings(o, dir, t).await?;
    let memory = reads::reads_and_signatures(o, dir, t).await?;
    starvation::public_reads_under_pressure(o, dir, t).await?;
    Ok(memory)
}

/// Booking against its ceilings, on each engine.
async fn bookings(o: &Opts, dir: &Path, t: &mut Table) -> Res<()> {
    let n = 1000;
    let sqlite = Db::sqlite(dir, "ceiling");
    booking::booking_vs_ceiling(o, &sqlite, dir, t, n).await?;
    let pg = Db::postgres(&o.pg, "ceiling")?;
    booking::booking_vs_ceiling(o, &pg, dir, t, n).await
}

/// The four surges; returns the peak memory (KiB) of the SQLite one.
async fn surges(o: &Opts, dir: &Path, t: &mut Table) -> Res<u64> {
    let sqlite = Db::sqlite(dir, "surge");
    let one = Surge::new("SQLite, 1 instance", 1, false);
    let peak = surge::surge(o, &sqlite, dir, t, &one).await?;
    let sqlite_kill = Db::sqlite(dir, "surge-kill");
    let restart = Surge::new("SQLite, 1 instance, kill -9 and restart", 1, true);
    surge::surge(o, &sqlite_kill, dir, t, &restart).await?;
    let pg = Db::postgres(&o.pg, "surge3")?;
    let three = Surge::new("PostgreSQL, 3 instances", 3, false);
    surge::surge(o, &pg, dir, t, &three).await?;
    let pgk = Db::postgres(&o.pg, "kill")?;
    let kill = Surge::new("PostgreSQL, 3 instances, kill -9", 3, true);
    surge::surge(o, &pgk, dir, t, &kill).await?;
    Ok(peak)
}

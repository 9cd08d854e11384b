//! The table: printed row by row as the figures come, and written to BENCHMARKS.md by a full
//! run, with the hand-written findings of the previous file kept.

use std::time::Duration;

use crate::cli::Opts;
use crate::load::Outcomes;

/// The rows so far (measure, value, ceiling or base, ratio), and the figures that must be 0
/// but were not (the run fails once the table is written, so that it shows them).
#[derive(Default)]
pub struct Table {
    rows: Vec<[String; 4]>,
    failures: Vec<String>,
}

impl Table {
    pub fn row(&mut self, what: &str, value: String, ceiling: String, ratio: String) {
        print_line(what, &value, &ceiling, &ratio);
        self.rows.push([what.into(), value, ceiling, ratio]);
    }

    /// Notes a failure unless `n` is 0.
    pub fn must_be_zero(&mut self, what: &str, n: u64) {
        if n != 0 {
            self.failures.push(format!("{what}: {n}"));
        }
    }

    /// The failures noted, if any.
    pub fn failed(&self) -> Result<(), String> {
        if self.failures.is_empty() {
            Ok(())
        } else {
            Err(self.failures.join("; "))
        }
    }
}

pub fn print_header() {
    print_line("measure", "value", "ceiling / base", "ratio");
}

fn print_line(what: &str, value: &str, ceiling: &str, ratio: &str) {
    println!("{what:<58} {value:>18} {ceiling:>18} {ratio:>8}");
}

/// `a` as a share of `b`, or "-" without a base.
pub fn pct(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.0} %", 100.0 * a / b)
    } else {
        "-".into()
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub fn p50_p99(out: &Outcomes) -> String {
    format!(
        "p50 {} p99 {}",
        ms(out.percentile(0.5)),
        ms(out.percentile(0.99))
    )
}

/// Memory of the full run, in MiB (the figures are KiB).
pub fn memory_row(t: &mut Table, idle: u64, reads_peak: u64, surge_peak: u64) {
    t.row(
        "resident memory: idle / peak (reads server) / peak (surge, SQLite)",
        format!("{} / {} MiB", idle / 1024, reads_peak / 1024),
        format!("{} MiB", surge_peak / 1024),
        "-".into(),
    );
}

/// Writes BENCHMARKS.md: what ran where, the table, how to read it, then the findings.
pub fn write(o: &Opts, t: &Table) {
    let mut md = String::from("# Benchmarks\n\nWritten by `target/release/examples/bench` (see README, Measuring). Every speed figure \
        is a ratio to a ceiling measured in the same run on the same machine; the correctness figures must be 0.\n\n");
    md.push_str(&circumstances(o));
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

/// Date, machine, command, scale and PostgreSQL server (without its credentials).
fn circumstances(o: &Opts) -> String {
    let scale = format!(
        "scale {} of the 5-20 surge (20,000 seats, 60,000 attempts)",
        o.scale
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    format!("- date: {}\n- machine: {} (shared with other builders; load average {load} at the end of the run)\n- command: `cargo build --release --bins --examples && target/release/examples/bench --scale {}`\n- {scale}\n- PostgreSQL: {}\n\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"), machine(), o.scale, o.pg.split('@').next_back().unwrap_or(""))
}

/// Cores, CPU model and memory, from /proc.
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

const NOTES: &str = "\n## How to read it\n\n\
- *booking*: distinct couples booking one hot slot; the ceiling is `booking::book` — the same transaction \
(slot row, conditional seat update, appointment, parties, outbox mail, audit) — called in a loop on one \
connection in the benchmark process, no HTTP. *synchronous*: the same loop on a fresh SQLite file whose \
connection the benchmark sets to `synchronous = NORMAL` (what the service ran before FULL; not a setting of \
the service). *raw ceiling*: the engine's own, in the same run: one conditional seat update \
(`UPDATE slots SET booked = booked + 1 WHERE id = ? AND booked < capacity`, the service's `slots::take_seat`) \
per transaction in the service's `write_tx`, 16 threads on 16 connections of a pool built from the service's \
`DbConfig`, for 3 s. *16 connections*: `booking::book` on 16 threads, each on a connection of that pool. \
*statements*: what diesel's `Instrumentation` saw on one connection over ten bookings after one that filled \
its statement cache, per booking: all statements, those from BEGIN to COMMIT (in brackets), and the \
preparations (diesel prepares an UPDATE, and any statement it does not cache, every time); a PostgreSQL \
round trip is one per statement plus one per preparation.\n\
- *reads*: 16 clients for a few seconds against one server; the base is `GET /healthz` of the same server.\n\
- *starvation*: one SQLite server with the shipped pool (10 connections, 2 s to get one) and partner timeouts \
(2 s connect, 5 s per attempt, 2 retries). 4 clients read `GET /v1/offices/{id}` for 3 s idle, then for as long \
as each load lasts; its 5xx must be 0 (the run fails otherwise, after writing this file). The *sign-in flood*: \
2,000 `POST /v1/registrar/sessions` at 128 concurrency, each for its own unknown username (the decoy hash \
runs every time) from its own `X-Forwarded-For` address, the sign-in limit on (trusted proxy) but never \
reached. The *hanging partner*: peer `henan` is a listener of the benchmark that accepts connections and never \
answers; ten household checks at once of couples with a 河南 party; `conns` counts the connections it accepted.\n\
- *surge*: 100 offices with 10 slots each on one day; three attempts per seat, each by a distinct couple for a \
random office and slot, from 64 concurrent connections posing as many clients (`X-Forwarded-For`, limits 20/min, \
burst 10). Afterwards the database and the mail folders are read back: every 2xx booking must exist, no slot may \
hold more than its capacity, every booking's confirmation must have been mailed; duplicates are counted.\n\
- *kill -9*: at 40 % of the attempts one of the three instances is killed; its claimed outbox messages are taken \
over by the survivors when their lease (10 s here) ends. *SQLite, kill -9 and restart*: the single instance is \
killed at 40 % and started again on the same file and mail folder (new requests wait meanwhile, as behind a proxy \
that holds them; those in flight fail as connection errors); the new process delivers what the killed one had \
claimed once the lease ends. A kill -9 loses no commit even with NORMAL; what FULL adds is a power loss's.\n";

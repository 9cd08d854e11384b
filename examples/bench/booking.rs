//! Booking over HTTP against the same booking transaction in-process (one hot slot each).

use std::path::Path;
use std::time::Instant;

use serde_json::json;

use crate::cli::Opts;
use crate::instances::{bench_env, start, Db, Server};
use crate::load::{client, drive, Outcomes};
use crate::people::couple;
use crate::report::{p50_p99, pct, Table};
use crate::{inprocess, Res};

/// `n` bookings in-process, then the engine's figures (its raw ceiling, `n` bookings on 16
/// connections, the statements of one booking), then `n` by 16 HTTP clients on the same
/// database. On SQLite, the in-process loop also runs with `synchronous = NORMAL`, right after
/// the first (the figures of a shared machine drift).
pub async fn booking_vs_ceiling(o: &Opts, db: &Db, dir: &Path, t: &mut Table, n: usize) -> Res<()> {
    let env = bench_env();
    let ceiling = inprocess::booking_ceiling(&db.url, &env, n, "")?;
    let sqlite = db.engine() == "SQLite";
    let normal = sqlite.then(|| normal_ceiling(dir, n)).transpose()?;
    let e = inprocess::engine_figures(&db.url, &env, n, &ceiling.spare_slots)?;
    let name = format!("http-{}", db.engine());
    let (server, _) = start(&o.bin, db, dir, &name, &env, None)?;
    let (rate, out) = book_over_http(&server, ceiling.http_slot, n).await;
    if out.n("201") as usize != n {
        return Err(format!("HTTP booking: {:?}", out.status));
    }
    let engine = db.engine();
    t.row(
        &format!("booking, {engine}: bookings/s (HTTP, 16 clients) vs in-process"),
        format!("{rate:.0}/s {}", p50_p99(&out)),
        format!("{:.0}/s", ceiling.per_sec),
        pct(rate, ceiling.per_sec),
    );
    if let Some(normal) = normal {
        t.row(
            "booking, SQLite in-process: synchronous=FULL (the service) vs NORMAL",
            format!("{:.0}/s", ceiling.per_sec),
            format!("{normal:.0}/s"),
            pct(ceiling.per_sec, normal),
        );
    }
    let raw = format!("{:.0}/s", e.raw);
    t.row(
        &format!("booking, {engine}: HTTP (16 clients) vs in-process on 16 connections"),
        format!("{rate:.0}/s"),
        format!("{:.0}/s", e.concurrent),
        pct(rate, e.concurrent),
    );
    for (what, per_sec) in [
        ("in-process, 16 connections", e.concurrent),
        ("in-process, 1 connection", ceiling.per_sec),
        ("HTTP, 16 clients", rate),
    ] {
        t.row(
            &format!("booking, {engine}: {what} vs raw ceiling (seat UPDATE per tx, 16 conns)"),
            format!("{per_sec:.0}/s"),
            raw.clone(),
            pct(per_sec, e.raw),
        );
    }
    let c = e.per_booking;
    let trips = if sqlite {
        "no server".to_owned()
    } else {
        format!("{} round trips", c.pg_round_trips())
    };
    t.row(
        &format!("booking, {engine}: SQL statements of one booking (BEGIN..COMMIT); round trips"),
        format!("{} ({}); {trips}", c.statements, c.in_tx),
        "raw: 3 (3)".to_owned(),
        format!("{} prepared", c.prepared + c.uncached),
    );
    Ok(())
}

/// The in-process rate on a fresh SQLite file whose connection the bench sets to
/// `synchronous = NORMAL` (what the service ran before FULL; not a setting of the service).
fn normal_ceiling(dir: &Path, n: usize) -> Res<f64> {
    let db = Db::sqlite(dir, "ceiling-normal");
    let setup = "PRAGMA synchronous = NORMAL";
    Ok(inprocess::booking_ceiling(&db.url, &bench_env(), n, setup)?.per_sec)
}

/// Bookings (201) per second of `n` distinct couples into `slot`.
async fn book_over_http(server: &Server, slot: String, n: usize) -> (f64, Outcomes) {
    let c = client();
    let url = server.url("/v1/appointments");
    let began = Instant::now();
    let make = move |i: usize| {
        Some(c.post(&url).json(&json!({
            "office_id": "sz-gusu", "slot_id": slot, "parties": couple(2_000_000 + i as u64),
            "contact": {"emails": [format!("a{i}@bench.invalid"), format!("b{i}@bench.invalid")]},
        })))
    };
    let out = drive(n, 16, make, None).await;
    let rate = out.n("201") as f64 / began.elapsed().as_secs_f64();
    (rate, out)
}

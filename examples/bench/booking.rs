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

/// `n` bookings in-process, then `n` by 16 HTTP clients on the same database. On SQLite, the
/// in-process loop also runs with `synchronous = NORMAL`, right after the first (the figures
/// of a shared machine drift).
pub async fn booking_vs_ceiling(o: &Opts, db: &Db, dir: &Path, t: &mut Table, n: usize) -> Res<()> {
    let env = bench_env();
    let ceiling = inprocess::booking_ceiling(&db.url, &env, n, "")?;
    let sqlite = db.engine() == "SQLite";
    let normal = sqlite.then(|| normal_ceiling(dir, n)).transpose()?;
    let name = format!("http-{}", db.engine());
    let (server, _) = start(&o.bin, db, dir, &name, &env, None)?;
    let (rate, out) = book_over_http(&server, ceiling.http_slot, n).await;
    if out.n("201") as usize != n {
        return Err(format!("HTTP booking: {:?}", out.status));
    }
    t.row(
        &format!(
            "booking, {}: bookings/s (HTTP, 16 clients) vs in-process",
            db.engine()
        ),
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

//! Read-route figures on one server (SQLite): the slot listing with and without its cache, an
//! office by id and a signed partner read, each against the bare `GET /healthz` of the same
//! server; signing against its round trip; cold start; memory.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;

use crate::cli::Opts;
use crate::instances::{bench_env, start, Db, Server};
use crate::load::{read_rate, Outcomes, Signer};
use crate::report::{ms, pct, Table};
use crate::{inprocess, registered, Res};

/// Clients of every rate but the round trip.
const CLIENTS: usize = 16;

const SLOTS: &str = "/v1/offices/sz-gusu/slots";

/// All read figures; returns the reads server's idle and peak memory (KiB).
pub async fn reads_and_signatures(o: &Opts, dir: &Path, t: &mut Table) -> Res<(u64, u64)> {
    let db = Db::sqlite(dir, "reads");
    let key = inprocess::new_key()?;
    let config = registered::write_config(dir, &key)?;
    registered::prepare(o, &db, &config, &registered::write_residents(dir)?)?;
    let cold = cold_start(o, dir)?;
    let (server, _) = start(&o.bin, &db, dir, "reads", &bench_env(), Some(&config))?;
    let idle = server.memory_kib("VmRSS");
    let number = registered::register_couple(&server).await?;
    let secs = if o.ci { 1.0 } else { 5.0 };
    let (bare, _) = read_rate(server.url("/healthz"), secs, CLIENTS, None).await;
    let what = "GET /v1/offices/{id}/slots (listing cache 1 s) vs bare GET /healthz";
    against_bare(t, what, server.url(SLOTS), secs, bare).await;
    // The same without the cache (a second server on the same database), and the floor of any
    // route that reads the database: one office by id.
    let uncached = start_uncached(o, &db, dir, &config)?;
    let what = "GET /v1/offices/{id}/slots (no cache: a month of slots) vs bare";
    against_bare(t, what, uncached.url(SLOTS), secs, bare).await;
    let what = "GET /v1/offices/{id} (one indexed read) vs bare";
    against_bare(t, what, uncached.url("/v1/offices/sz-gusu"), secs, bare).await;
    drop(uncached);
    partner_reads(&server, &key, &number, secs, bare, t).await?;
    t.row(
        "cold start to first /readyz 200 (empty SQLite, median of 5)",
        ms(cold),
        "-".into(),
        "-".into(),
    );
    Ok((idle, server.memory_kib("VmHWM")))
}

/// The median of five starts on empty databases, migrations and office seed included.
fn cold_start(o: &Opts, dir: &Path) -> Res<Duration> {
    let mut took = Vec::new();
    for i in 0..5 {
        let name = format!("cold{i}");
        let (server, t) = start(&o.bin, &Db::sqlite(dir, &name), dir, &name, &[], None)?;
        drop(server);
        took.push(t);
    }
    took.sort();
    Ok(took[2])
}

fn start_uncached(o: &Opts, db: &Db, dir: &Path, config: &Path) -> Res<Server> {
    let mut env = bench_env();
    env.push(("APP__BOOKING__LISTING_CACHE_MS".into(), "0".into()));
    Ok(start(&o.bin, db, dir, "reads-uncached", &env, Some(config))?.0)
}

/// The rate of GET `url` as a row against the bare rate.
async fn against_bare(t: &mut Table, what: &str, url: String, secs: f64, bare: f64) {
    let (rate, out) = read_rate(url, secs, CLIENTS, None).await;
    rate_row(t, what, rate, &out, bare);
}

/// A signed partner read of certificate `number` against the bare rate, and signing plus
/// verifying one request in process against its round trip.
async fn partner_reads(
    server: &Server,
    key: &SigningKey,
    number: &str,
    secs: f64,
    bare: f64,
    t: &mut Table,
) -> Res<()> {
    let target = server.url(&format!("/v1/partner/registrations/{number}"));
    let sign = {
        let (key, target) = (key.clone(), target.clone());
        Arc::new(move || inprocess::signed_get(&key, &target)) as Signer
    };
    let (rate, out) = read_rate(target.clone(), secs, CLIENTS, Some(sign.clone())).await;
    if out.n("200") == 0 {
        return Err(format!("partner reads: {:?}", out.status));
    }
    let what = "GET /v1/partner/registrations/{n} (signed, verified, nonce stored) vs bare";
    rate_row(t, what, rate, &out, bare);
    let sign_verify = sign_verify_time(key, &target)?;
    let (_, one) = read_rate(target, secs.min(2.0), 1, Some(sign)).await;
    let rtt = one.percentile(0.5);
    t.row(
        "sign + verify one partner request vs its round trip (p50)",
        format!("{:.0} µs", sign_verify.as_secs_f64() * 1e6),
        ms(rtt),
        pct(sign_verify.as_secs_f64(), rtt.as_secs_f64()),
    );
    Ok(())
}

/// The mean time of signing and verifying one request (2,000 of them).
fn sign_verify_time(key: &SigningKey, target: &str) -> Res<Duration> {
    let n = 2000;
    let began = Instant::now();
    for _ in 0..n {
        inprocess::sign_and_verify(key, target)?;
    }
    Ok(began.elapsed() / n)
}

/// A read rate with its p99 against the bare rate.
fn rate_row(t: &mut Table, what: &str, rate: f64, out: &Outcomes, bare: f64) {
    t.row(
        what,
        format!("{rate:.0}/s p99 {}", ms(out.percentile(0.99))),
        format!("{bare:.0}/s"),
        pct(rate, bare),
    );
}

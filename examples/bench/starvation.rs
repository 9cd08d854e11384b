//! One caller cannot starve everyone else (issue 14 §2): the public `GET /v1/offices/{id}`
//! measured idle, then during a flood of failed sign-ins and during household checks against a
//! partner that never answers, on one SQLite server with the shipped pool and timeouts. Its
//! 5xx must be 0; the run reports them and fails at the end otherwise.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde_json::json;

use crate::cli::Opts;
use crate::hanging::{self, Hanging};
use crate::instances::{start, Db, Server};
use crate::load::{client, drive, read_rate, reads_during, Outcomes};
use crate::registered::{self, Registrar};
use crate::report::{ms, Table};
use crate::Res;

/// Concurrent public readers, idle and during each load.
const READERS: usize = 4;

/// The sign-in flood: failed sign-ins and their concurrency.
const FLOOD: usize = 2000;
const FLOOD_CONCURRENCY: usize = 128;

const OFFICE: &str = "/v1/offices/sz-gusu";

/// Both scenarios on one server.
pub async fn public_reads_under_pressure(o: &Opts, dir: &Path, t: &mut Table) -> Res<()> {
    let partner = Hanging::start()?;
    let db = Db::sqlite(dir, "starvation");
    let config = hanging::write_config(dir, &partner.url)?;
    registered::prepare(o, &db, &config, &hanging::write_residents(dir)?)?;
    let (server, _) = start(&o.bin, &db, dir, "starvation", &[], Some(&config))?;
    let registrar = Registrar::sign_in(&server).await?;
    let applications = hanging::walk_ins(&registrar).await?;
    let idle_secs = if o.ci { 1.0 } else { 3.0 };
    sign_in_flood(&server, idle_secs, t).await;
    hanging_partner(&server, &registrar, &applications, &partner, idle_secs, t).await;
    Ok(())
}

/// 2,000 failed sign-ins at 128 concurrency, each for its own unknown username (the decoy
/// hash runs for every one: no per-username throttle cuts them short) from its own address
/// (`X-Forwarded-For`, one request per address: the sign-in limit is on but never reached).
async fn sign_in_flood(server: &Server, idle_secs: f64, t: &mut Table) {
    let idle = read_rate(server.url(OFFICE), idle_secs, READERS, None)
        .await
        .1;
    let c = client();
    let url = server.url("/v1/registrar/sessions");
    let make = move |i: usize| {
        let address = format!("10.{}.{}.{}", 100 + i / 65536, (i / 256) % 256, i % 256);
        Some(c.post(&url).header("x-forwarded-for", address).json(
            &json!({"username": format!("flood.{i}"), "password": "not the password at all"}),
        ))
    };
    let began = Instant::now();
    let flood = drive(FLOOD, FLOOD_CONCURRENCY, make, None);
    let (flood, during) = reads_during(server.url(OFFICE), READERS, flood).await;
    let took = began.elapsed();
    let what = format!("during sign-in flood ({FLOOD} at {FLOOD_CONCURRENCY})");
    reads_row(t, &what, &idle, &during);
    t.row(
        "  sign-in flood: 401, 429, 5xx, connection errors",
        format!(
            "{} {} {} {}",
            flood.n("401 invalid_credentials"),
            flood.n("429 too_many_requests"),
            flood.fives(),
            flood.n("connection error")
        ),
        format!(
            "{:.1} s, {:.0}/s",
            took.as_secs_f64(),
            flood.count() as f64 / took.as_secs_f64()
        ),
        "-".into(),
    );
    println!("  sign-in flood: {:?}", flood.status);
}

/// Ten household checks at once whose 河南 party goes to the partner that never answers.
async fn hanging_partner(
    server: &Server,
    registrar: &Registrar<'_>,
    applications: &[String],
    partner: &Hanging,
    idle_secs: f64,
    t: &mut Table,
) {
    let idle = read_rate(server.url(OFFICE), idle_secs, READERS, None)
        .await
        .1;
    let checks = applications.iter().map(|a| async move {
        let began = Instant::now();
        let outcome = registrar
            .outcome(&format!("{a}/household-checks"), json!({}))
            .await;
        (outcome, began.elapsed())
    });
    let (answers, during) = reads_during(server.url(OFFICE), READERS, join_all(checks)).await;
    let what = format!("during hanging partner ({} checks)", hanging::COUPLES);
    reads_row(t, &what, &idle, &during);
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for (o, _) in &answers {
        *outcomes.entry(o.clone()).or_default() += 1;
    }
    let slowest = answers.iter().map(|(_, d)| *d).max().unwrap_or_default();
    let listed: Vec<String> = outcomes.iter().map(|(k, n)| format!("{n}× {k}")).collect();
    t.row(
        "  hanging partner: check answers; partner connections, slowest",
        listed.join(", "),
        format!("{} conns, {}", partner.accepted(), secs(slowest)),
        "-".into(),
    );
}

/// The row of the public read: its p99 idle and during a load, and its 5xx during the load
/// (which must be 0).
fn reads_row(t: &mut Table, during_what: &str, idle: &Outcomes, during: &Outcomes) {
    let what = format!("GET /v1/offices/{{id}} p99: idle / {during_what}");
    let (p_idle, p_during) = (idle.percentile(0.99), during.percentile(0.99));
    t.row(
        &what,
        format!("{} / {}", ms(p_idle), ms(p_during)),
        format!("5xx {} of {}", during.fives(), during.count()),
        format!(
            "{:.0}×",
            p_during.as_secs_f64() / p_idle.as_secs_f64().max(1e-6)
        ),
    );
    t.must_be_zero(&format!("public reads 5xx {during_what}"), during.fives());
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

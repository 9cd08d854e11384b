//! The load generator: many concurrent tasks sharing one HTTP client, each sending the next
//! request of a run and recording its latency and outcome.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{text, Res};

/// Makes the signature headers of one partner request (a fresh nonce each time).
pub type Signer = Arc<dyn Fn() -> Vec<(String, String)> + Send + Sync>;

/// Runs once, just before the request with the given index is made (the kill -9 of a surge).
pub type Hook = (usize, Box<dyn FnOnce() + Send>);

/// Latencies and outcomes of a run.
#[derive(Default)]
pub struct Outcomes {
    latencies: Vec<Duration>,
    /// Answers by status, with the error `code` for 4xx/5xx ("409 slot_full").
    pub status: BTreeMap<String, u64>,
    /// The references of the bookings answered 201.
    pub created: Vec<String>,
}

impl Outcomes {
    pub fn percentile(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        l.get(((l.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or_default()
    }

    pub fn count(&self) -> usize {
        self.latencies.len()
    }

    pub fn n(&self, key: &str) -> u64 {
        self.status.get(key).copied().unwrap_or(0)
    }

    pub fn fives(&self) -> u64 {
        self.status
            .iter()
            .filter(|(k, _)| k.starts_with('5'))
            .map(|(_, v)| v)
            .sum()
    }

    fn record(&mut self, latency: Duration, key: String, reference: Option<String>) {
        self.latencies.push(latency);
        *self.status.entry(key).or_default() += 1;
        self.created.extend(reference);
    }
}

/// What the tasks of one run share.
struct Run<F> {
    total: usize,
    next: AtomicUsize,
    make: F,
    hook: Mutex<Option<Hook>>,
    out: Mutex<Outcomes>,
}

/// Runs `total` requests from `concurrency` tasks; `make(i)` builds request `i`, or ends the
/// run with None.
pub async fn drive<F>(total: usize, concurrency: usize, make: F, hook: Option<Hook>) -> Outcomes
where
    F: Fn(usize) -> Option<reqwest::RequestBuilder> + Send + Sync + 'static,
{
    let run = Arc::new(Run {
        total,
        next: AtomicUsize::new(0),
        make,
        hook: Mutex::new(hook),
        out: Mutex::new(Outcomes::default()),
    });
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(work(run.clone())))
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let Ok(run) = Arc::try_unwrap(run) else {
        unreachable!("every task has ended")
    };
    run.out.into_inner().unwrap()
}

/// One task: takes the next index until the run is done.
async fn work<F>(run: Arc<Run<F>>)
where
    F: Fn(usize) -> Option<reqwest::RequestBuilder>,
{
    loop {
        let i = run.next.fetch_add(1, Ordering::Relaxed);
        if i >= run.total {
            break;
        }
        fire_hook(&run.hook, i);
        let Some(req) = (run.make)(i) else { break };
        let t = Instant::now();
        let (key, reference) = send(req).await;
        let dt = t.elapsed();
        run.out.lock().unwrap().record(dt, key, reference);
    }
}

fn fire_hook(hook: &Mutex<Option<Hook>>, i: usize) {
    let mut h = hook.lock().unwrap();
    if h.as_ref().is_some_and(|(at, _)| i >= *at) {
        let (_, f) = h.take().unwrap();
        f();
    }
}

/// The outcome key of one request and, for a 201, the reference it created.
async fn send(req: reqwest::RequestBuilder) -> (String, Option<String>) {
    let Ok(r) = req.send().await else {
        return ("connection error".to_owned(), None);
    };
    let status = r.status().as_u16();
    // Read every body; parse only what is needed (the client shares the machine's two cores
    // with the servers).
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
    let reference = body["reference"].as_str().filter(|_| status == 201);
    (key, reference.map(str::to_owned))
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        // Below the server's keep-alive (5 s), so that a pooled connection is not reused just
        // as the server closes it.
        .pool_idle_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Sends one request outside a run and reads its JSON answer (set-up, not measured).
pub async fn json_of(req: reqwest::RequestBuilder) -> Res<Value> {
    req.send().await.map_err(text)?.json().await.map_err(text)
}

/// Requests per second of GET `url` from `concurrency` clients for `secs` seconds.
pub async fn read_rate(
    url: String,
    secs: f64,
    concurrency: usize,
    sign: Option<Signer>,
) -> (f64, Outcomes) {
    let c = client();
    let began = Instant::now();
    let until = began + Duration::from_secs_f64(secs);
    let make = move |_| {
        if Instant::now() >= until {
            return None;
        }
        let headers = sign.as_ref().map(|s| s()).unwrap_or_default();
        Some(
            headers
                .into_iter()
                .fold(c.get(&url), |rb, (n, v)| rb.header(n, v)),
        )
    };
    // `drive` stops when make() returns None for every index; bound it by time instead.
    let run = drive(usize::MAX / 2, concurrency, make, None);
    let out = tokio::time::timeout(Duration::from_secs_f64(secs + 30.0), run)
        .await
        .unwrap_or_default();
    (out.count() as f64 / began.elapsed().as_secs_f64(), out)
}

/// GET `url` from `concurrency` clients for as long as `load` runs: `load`'s output and the
/// outcomes of the reads.
pub async fn reads_during<F: Future>(
    url: String,
    concurrency: usize,
    load: F,
) -> (F::Output, Outcomes) {
    let c = client();
    let stop = Arc::new(AtomicBool::new(false));
    let done = stop.clone();
    let make = move |_| (!done.load(Ordering::Relaxed)).then(|| c.get(&url));
    let reads = tokio::spawn(drive(usize::MAX / 2, concurrency, make, None));
    let out = load.await;
    stop.store(true, Ordering::Relaxed);
    (out, reads.await.unwrap_or_default())
}

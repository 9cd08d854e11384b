//! Prometheus metrics: requests by route template and status, latency histograms, pool gauges.

use hunyin_partner::guard::BreakerState;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// The `method` label of a request method.
fn method_label(method: &str) -> &str {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    if STANDARD.contains(&method) {
        method
    } else {
        "OTHER"
    }
}

/// The service's metrics, owned by the application (no global registry).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_size: IntGauge,
    pool_idle: IntGauge,
    outbox_delivered: IntCounterVec,
    outbox_retries: IntCounterVec,
    outbox_failed: IntCounterVec,
    outbox_pending: IntGauge,
    partner_circuit: IntGaugeVec,
}

impl Metrics {
    /// Registers every metric in a fresh registry.
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request received to response ready",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let pool_size = IntGauge::new(
            "db_pool_connections",
            "Connections open in the database pool",
        )
        .expect("valid metric");
        let pool_idle = IntGauge::new(
            "db_pool_idle_connections",
            "Idle connections in the database pool",
        )
        .expect("valid metric");
        let counter = |name: &str, help: &str| {
            IntCounterVec::new(Opts::new(name, help), &["kind"]).expect("valid metric")
        };
        let outbox_delivered = counter("outbox_delivered_total", "Outbox messages delivered");
        let outbox_retries = counter(
            "outbox_attempt_failures_total",
            "Outbox delivery attempts that failed and will be retried or given up",
        );
        let outbox_failed = counter(
            "outbox_failed_total",
            "Outbox messages set aside after their last attempt failed",
        );
        let outbox_pending = IntGauge::new(
            "outbox_pending",
            "Outbox messages not yet delivered (as of the worker's last round)",
        )
        .expect("valid metric");
        let partner_circuit = IntGaugeVec::new(
            Opts::new(
                "partner_circuit_state",
                "Circuit breaker of each partner: 0 closed, 1 open, 2 half-open",
            ),
            &["partner"],
        )
        .expect("valid metric");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool_size.clone()),
            Box::new(pool_idle.clone()),
            Box::new(outbox_delivered.clone()),
            Box::new(outbox_retries.clone()),
            Box::new(outbox_failed.clone()),
            Box::new(outbox_pending.clone()),
            Box::new(partner_circuit.clone()),
        ] {
            registry.register(c).expect("metric registered once");
        }
        Metrics {
            registry,
            requests,
            latency,
            pool_size,
            pool_idle,
            outbox_delivered,
            outbox_retries,
            outbox_failed,
            outbox_pending,
            partner_circuit,
        }
    }

    /// Sets each partner's circuit gauge (the directory's partners: a bounded set).
    pub fn partner_circuits(&self, states: &[(String, BreakerState)]) {
        for (partner, state) in states {
            self.partner_circuit
                .with_label_values(&[partner.as_str()])
                .set(state.gauge());
        }
    }

    /// Counts an outbox outcome: delivered, or a failed attempt (and whether it was the last).
    pub fn outbox_outcome(&self, kind: &str, delivered: bool, gave_up: bool) {
        if delivered {
            self.outbox_delivered.with_label_values(&[kind]).inc();
        } else {
            self.outbox_retries.with_label_values(&[kind]).inc();
            if gave_up {
                self.outbox_failed.with_label_values(&[kind]).inc();
            }
        }
    }

    /// Sets the pending gauge.
    pub fn outbox_pending(&self, n: i64) {
        self.outbox_pending.set(n);
    }

    /// Counts one answered request. A method outside RFC 9110 and PATCH is counted as
    /// `OTHER`: the label takes no caller-chosen token, so the series stay bounded.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method_label(method), route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// The text exposition, with the pool's `connections` and `idle` connections read now.
    pub fn render(&self, connections: u32, idle: u32) -> String {
        self.pool_size.set(i64::from(connections));
        self.pool_idle.set(i64::from(idle));
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

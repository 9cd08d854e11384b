//! Builds the application: database, migrations, state, HTTP server bound to its port.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpServer};
use secrecy::ExposeSecret;

use crate::configuration::Settings;
use crate::db::{self, Manager};
use std::sync::Arc;

use lettre::message::Mailbox;

use crate::domain::Policy;
use crate::errors::{ApiError, InvalidParam};
use crate::extract::BodyLimit;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::outbox::Worker;
use crate::partner::client::PartnerVerifier;
use crate::partner::Partners;
use crate::ratelimit::RateLimiter;
use crate::scheduling::Scheduling;
use crate::{middleware, routes, seed};

/// What every handler can reach. Cheap to clone; no globals.
pub struct AppState {
    pub pool: db::Pool,
    pub metrics: Metrics,
    /// "postgresql" or "sqlite".
    pub engine: &'static str,
    /// The jurisdiction timeline.
    pub policy: Policy,
    /// GB/T 2260 prefix of this instance's region.
    pub region_prefix: String,
    /// Booking window, default weekly rule, holidays and special openings.
    pub scheduling: Scheduling,
    /// Sender of couples' mail.
    pub mail_from: Mailbox,
    /// Hours before an appointment its reminder goes out (0: none).
    pub reminder_hours: u32,
    /// Per-address limits of the public POST routes.
    pub limiter: RateLimiter,
    /// Session lifetime and sign-in throttling.
    pub staff: crate::configuration::StaffSettings,
    /// Household checks of parties from other regions.
    pub verifier: Arc<dyn crate::verification::HouseholdVerifier>,
    /// Our signing identity and the partner directory.
    pub partners: Arc<Partners>,
    /// Recent slot listings.
    pub listings: crate::booking::listing_cache::ListingCache,
}

/// Start-up failures, each with the underlying message.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Rules(String),
    #[error("cannot seed offices: {0}")]
    Seed(db::DbError),
    #[error("cannot connect to the database ({url}): {source}")]
    Connect {
        url: String,
        source: db::ConnectError,
    },
    #[error("cannot apply database migrations: {0}")]
    Migrate(db::migrations::MigrationError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects to the database (failing with the server's own error), applies migrations if
    /// configured, and binds the listener (port 0 picks a free one).
    pub fn build(settings: Settings) -> Result<Application, StartupError> {
        Application::build_with_mailer(settings, None)
    }

    /// As [`Application::build`], delivering mail through `mailer` instead of the configured
    /// transport (tests use the in-memory one).
    pub fn build_with_mailer(
        settings: Settings,
        mailer: Option<Mailer>,
    ) -> Result<Application, StartupError> {
        let policy = seed::load_policy(&settings).map_err(StartupError::Rules)?;
        let partners = Arc::new(
            Partners::from_settings(&settings.partner, &settings.instance)
                .map_err(StartupError::Rules)?,
        );
        let seed_offices = seed::load_offices(&settings).map_err(StartupError::Rules)?;
        let scheduling =
            Scheduling::from_settings(&settings.booking).map_err(StartupError::Rules)?;
        scheduling.warn_unpublished(crate::clock::today());
        let mail_from: Mailbox = settings
            .mail
            .from
            .parse()
            .map_err(|e| StartupError::Rules(format!("key `mail.from`: {e}")))?;
        let manager = Manager::new(&settings.database);
        let engine = manager.engine().name();
        let url = db::redacted_url(settings.database.url.expose_secret());
        let mut conn = manager.open().map_err(|source| StartupError::Connect {
            url: url.clone(),
            source,
        })?;
        if settings.database.migrate_on_start {
            let applied = db::migrations::run_pending(&mut conn).map_err(StartupError::Migrate)?;
            for version in applied {
                tracing::info!(version, "migration applied");
            }
        }
        let seeded = seed::seed_offices(&mut conn, &seed_offices, &scheduling.default_rule)
            .map_err(StartupError::Seed)?;
        if seeded > 0 {
            tracing::info!(offices = seeded, "demo offices seeded");
        }
        drop(conn);
        // Only now, with the database proven: the file transport creates its folder.
        let mailer = match mailer {
            Some(m) => m,
            None => Mailer::from_settings(&settings.mail).map_err(StartupError::Rules)?,
        };
        tracing::info!(engine, database = %url, "database ready");

        let state = web::Data::new(AppState {
            pool: db::build_pool(&settings.database),
            metrics: Metrics::new(),
            engine,
            policy,
            region_prefix: settings.instance.region_prefix.clone(),
            scheduling,
            mail_from: mail_from.clone(),
            reminder_hours: settings.mail.reminder_hours_before,
            limiter: RateLimiter::new(settings.rate_limit.clone()),
            staff: settings.staff.clone(),
            verifier: if partners.directory.peers.is_empty() {
                Arc::new(crate::verification::NoPartners)
            } else {
                Arc::new(PartnerVerifier::new(partners.clone()))
            },
            partners: partners.clone(),
            listings: crate::booking::listing_cache::ListingCache::new(
                settings.booking.listing_cache_ms,
            ),
        });
        let worker = Arc::new(Worker {
            state: state.clone(),
            mailer,
            from: mail_from,
            settings: settings.outbox.clone(),
            agent: crate::partner::client::agent(partners.connect_timeout, partners.timeout),
        });
        tokio::spawn(worker.run());
        tokio::spawn(crate::booking::sweep_loop(
            state.clone(),
            Duration::from_secs(settings.sweep.interval_secs),
        ));
        let addr = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&addr).map_err(|source| StartupError::Bind {
            addr: addr.clone(),
            source,
        })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let server = run(listener, state, &settings).map_err(|source| StartupError::Bind {
            addr: addr.clone(),
            source,
        })?;
        tracing::info!(address = %addr, port, "listening");
        Ok(Application { port, server })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn run(
    listener: TcpListener,
    state: web::Data<AppState>,
    settings: &Settings,
) -> std::io::Result<Server> {
    let limit = settings.server.body_limit_bytes;
    let metrics = web::Data::new(state.metrics.clone());
    let mut server = HttpServer::new(move || {
        App::new()
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            .wrap(from_fn(middleware::observe))
            .app_data(state.clone())
            .app_data(metrics.clone())
            .app_data(web::PayloadConfig::new(limit))
            .app_data(BodyLimit(limit))
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                ApiError::invalid(vec![InvalidParam::new(
                    "query",
                    "invalid_query",
                    err.to_string(),
                )])
                .into()
            }))
            .app_data(web::PathConfig::default().error_handler(|err, _| {
                ApiError::invalid(vec![InvalidParam::new(
                    "path",
                    "invalid_path",
                    err.to_string(),
                )])
                .into()
            }))
            .configure(routes::configure)
            .default_service(web::to(routes::not_found))
    })
    .shutdown_timeout(settings.server.shutdown_timeout_secs)
    .client_request_timeout(Duration::from_secs(10));
    if settings.server.workers > 0 {
        server = server.workers(settings.server.workers);
    }
    Ok(server.listen(listener)?.run())
}

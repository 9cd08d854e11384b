//! Builds the application: database, migrations, state, HTTP server bound to its port.

use std::net::TcpListener;
use std::time::Duration;

use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::web;
use secrecy::ExposeSecret;

use hunyin_app::mail::Mailer;
use hunyin_http::listing_cache::ListingCache;
use hunyin_http::metrics::Metrics;
use hunyin_http::ratelimit::RateLimiter;
use hunyin_http::WebState;
use hunyin_store::{self as db, Manager};

use crate::configuration::Settings;
use crate::workers::{outbox::Polling, OutboxWorker};
use crate::{seed, wiring};

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
    context: Arc<hunyin_app::AppContext>,
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
            wiring::partners(&settings.partner, &settings.instance).map_err(StartupError::Rules)?,
        );
        let seed_offices = seed::load_offices(&settings).map_err(StartupError::Rules)?;
        let scheduling = wiring::scheduling(&settings.booking).map_err(StartupError::Rules)?;
        scheduling.warn_unpublished(hunyin_app::clock::today());
        let mail_from = wiring::mail_from(&settings).map_err(StartupError::Rules)?;
        let oidc = wiring::oidc_config(&settings).map_err(StartupError::Rules)?;
        let db_config = wiring::db_config(&settings);
        let manager = Manager::new(&db_config);
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
            None => wiring::mailer(&settings.mail).map_err(StartupError::Rules)?,
        };
        tracing::info!(engine, database = %url, "database ready");

        let parsed = wiring::Parsed {
            policy,
            partners,
            scheduling,
            mail_from,
            oidc,
        };
        let app = Arc::new(wiring::context(
            &settings,
            db::build_pool(&db_config),
            engine,
            parsed,
        ));
        let state = web::Data::new(WebState {
            app: app.clone(),
            metrics: Metrics::new(),
            limiter: RateLimiter::new(wiring::rate_limits(&settings)),
            listings: ListingCache::new(settings.booking.listing_cache_ms),
            metrics_token: Some(settings.server.metrics_token.expose_secret().trim())
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            cookie_secure: settings.server.cookie_secure,
        });
        let o = &settings.outbox;
        let worker = Arc::new(OutboxWorker {
            app: app.clone(),
            metrics: state.metrics.clone(),
            mailer,
            polling: Polling {
                poll_interval_ms: o.poll_interval_ms,
                batch_size: o.batch_size,
                lease_secs: o.lease_secs,
            },
            retry: wiring::retry_policy(&settings),
            agent: hunyin_partner::client::agent(
                app.partners.connect_timeout,
                app.partners.timeout,
            ),
        });
        tokio::spawn(worker.run());
        let context = app.clone();
        tokio::spawn(crate::workers::sweep_loop(
            app,
            wiring::sweep_policy(&settings),
            Duration::from_secs(settings.sweep.interval_secs),
        ));
        let addr = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&addr).map_err(|source| StartupError::Bind {
            addr: addr.clone(),
            source,
        })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let server = hunyin_http::server::serve(
            listener,
            state,
            wiring::server_config(&settings),
            hunyin_web::configure,
        )
        .map_err(|source| StartupError::Bind {
            addr: addr.clone(),
            source,
        })?;
        tracing::info!(address = %addr, port, "listening");
        Ok(Application {
            port,
            server,
            context,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The application's context (its pool, its hashing gate), for tests that look inside.
    pub fn context(&self) -> Arc<hunyin_app::AppContext> {
        self.context.clone()
    }

    /// Serves until SIGINT/SIGTERM, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

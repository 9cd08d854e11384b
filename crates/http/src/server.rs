//! The HTTP server: the middleware, the extractor settings and the route table over a bound
//! listener.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpServer};

use hunyin_app::InvalidParam;

use crate::extract::BodyLimit;
use crate::problem::ApiError;
use crate::state::WebState;
use crate::{middleware, routes};

/// How the server runs (`[server]`).
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig {
    pub workers: usize,
    pub body_limit_bytes: usize,
    pub shutdown_timeout_secs: u64,
}

/// A 400 naming where the request could not be read (`query`, `path`).
fn unreadable(part: &str, why: String) -> actix_web::Error {
    ApiError::invalid(vec![InvalidParam::new(
        part,
        format!("invalid_{part}"),
        why,
    )])
    .into()
}

/// The server over `listener`, not yet running. `pages` registers the web pages (the crate
/// above this one), beside the API's route table.
pub fn serve(
    listener: TcpListener,
    state: web::Data<WebState>,
    cfg: ServerConfig,
    pages: fn(&mut web::ServiceConfig),
) -> std::io::Result<Server> {
    let limit = cfg.body_limit_bytes;
    let metrics = web::Data::new(state.metrics.clone());
    let mut server = HttpServer::new(move || {
        App::new()
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            .wrap(from_fn(middleware::observe))
            .app_data(state.clone())
            .app_data(metrics.clone())
            .app_data(web::PayloadConfig::new(limit))
            .app_data(BodyLimit(limit))
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|err, _| unreadable("query", err.to_string())),
            )
            .app_data(
                web::PathConfig::default()
                    .error_handler(|err, _| unreadable("path", err.to_string())),
            )
            .configure(routes::configure)
            .configure(pages)
            .default_service(web::to(routes::not_found))
    })
    .shutdown_timeout(cfg.shutdown_timeout_secs)
    .client_request_timeout(Duration::from_secs(10));
    if cfg.workers > 0 {
        server = server.workers(cfg.workers);
    }
    Ok(server.listen(listener)?.run())
}

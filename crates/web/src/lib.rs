//! The pages: server-rendered HTML over the same use cases as the JSON API, for couples (under
//! `/`) and, later, the registrar's desk (under `/desk/`). Chinese first, English on a switch;
//! every page works without JavaScript, loads nothing from other hosts, and carries its security
//! headers (see [`page`]). The route table of the pages is [`configure`], which the root package
//! hands to the server beside the API's.

pub mod assets;
pub mod cookies;
pub mod couples;
pub mod csrf;
pub mod desk;
pub mod form;
pub mod lang;
pub mod page;
pub mod start;

use actix_web::web;

/// Registers every page and the embedded assets.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(start::show))
        .route("/assets/{name}", web::get().to(assets::serve))
        .route("/language/{code}", web::get().to(lang::switch))
        .configure(couples::configure)
        .configure(desk::configure);
}

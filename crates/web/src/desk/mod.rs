//! The registrar's desk under `/desk/`: sign-in, the day's queue, the application, printables,
//! certificates, the supervisor's and the auditor's pages (issue 17).

use actix_web::web;

/// Registers the desk's pages.
pub fn configure(_cfg: &mut web::ServiceConfig) {}

//! The couples' pages: eligibility, an office's calendar, booking, confirmation, and their own
//! appointment (issue 16).

use actix_web::web;

/// Registers the couples' pages.
pub fn configure(_cfg: &mut web::ServiceConfig) {}

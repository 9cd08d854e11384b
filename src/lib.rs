//! The cross-province marriage registration service (婚姻登记"跨省通办").

pub mod applications;
pub mod audit;
pub mod auth;
pub mod booking;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod configuration;
pub mod db;
pub mod domain;
pub mod errors;
pub mod extract;
pub mod household_import;
pub mod mail;
pub mod metrics;
pub mod middleware;
pub mod outbox;
pub mod ratelimit;
pub mod routes;
pub mod scheduling;
pub mod schema;
pub mod seed;
pub mod startup;
pub mod telemetry;
pub mod tokens;
pub mod verification;

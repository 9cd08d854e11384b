//! The integration suite: one binary, run once on SQLite and again on PostgreSQL when
//! `TEST_DATABASE_URL` names a PostgreSQL server.

mod applications;
mod booking;
mod certificates;
mod cli;
mod contract;
mod database;
mod eligibility;
mod helpers;
mod household;
mod mail;
mod offices;
mod operations;
mod partner;
mod privacy;
mod problems;
mod registrar;
mod registration;
mod statistics;

//! The integration suite: one binary, run once on SQLite and again on PostgreSQL when
//! `TEST_DATABASE_URL` names a PostgreSQL server. The test files share only `support`.

mod support;

mod applications;
mod appointments;
mod booking;
mod certificate_scope;
mod certificates;
mod cli;
mod contract;
mod contract_statuses;
mod database;
mod divorce_periods;
mod eligibility;
mod household;
mod listing_months;
mod mail;
mod married_checks;
mod married_registration;
mod offices;
mod operations;
mod outbox_lease;
mod owner_only_files;
mod partner_deliveries_scope;
mod partner_federation;
mod partner_hanging;
mod partner_interop;
mod partner_leaks;
mod partner_refusals;
mod partner_status;
mod partner_unavailable;
mod privacy;
mod problems;
mod registrar;
mod registration;
mod shared_limits;
mod slots;
mod starvation;
mod statistics;
mod statistics_exports;
mod sweep_retention;

//! What the suite's test files share. They import from here only (`use crate::support::…`),
//! never from each other, and reach the library under test only through [`lib`].

pub mod answers;
pub mod app;
pub mod binary;
pub mod browser;
pub mod client;
pub mod counter;
pub mod database;
pub mod desk;
pub mod divorce;
pub mod divorce_visits;
pub mod federation;
pub mod fixtures;
pub mod lib;
pub mod mail;
pub mod oidc;
pub mod oidc_users;
pub mod partner;
pub mod proxy;
pub mod python;
pub mod statistics;
pub mod template;

pub use app::{eventually, spawn_app, spawn_app_on, spawn_app_with, test_settings, TestApp};
pub use client::{fresh_emails, office_ids, problem, reference_and_token};
pub use counter::{application_path, trail_of_person, Counter};
pub use database::{
    add_resident, add_residents, age_checks, audit_count, audit_details, certificate_count,
    confirmed_parties, expire_holds, free_parties, marital_status, move_slot, postgres_server_url,
    seats_and_holders, set_marital_status, TestDb,
};
pub use fixtures::{
    certificate_number, couple, id_number, masked, nth_couple, nth_person, party, today,
};

//! The `hunyin` binary's library: command line, configuration, start-up, background workers
//! and telemetry. It alone reads `Settings` and wires the crates below it
//! (`hunyin-http` -> `hunyin-app` -> `hunyin-store` -> `hunyin-domain`, with `hunyin-partner`
//! beside them); see `ARCHITECTURE.md`.

pub mod cli;
pub mod configuration;
pub mod seed;
pub mod startup;
pub mod telemetry;
pub mod wiring;
pub mod workers;

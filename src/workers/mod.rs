//! The background work of a server process: the outbox worker and the sweep. Each gets its own
//! context (the application's, the mailer, an HTTP agent, the metrics), never the web state.

pub mod outbox;
mod sweep;

pub use outbox::OutboxWorker;
pub use sweep::sweep_loop;

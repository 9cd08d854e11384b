//! The use cases of the service, one module per workflow. Each takes what it needs explicitly
//! (a connection, the narrow parts of the context, the acting staff member, a typed input) and
//! answers with a typed view or an [`AppError`]; none sees HTTP.

pub mod applications;
pub mod audit;
pub mod auth;
pub mod booking;
pub mod certificates;
pub mod check_overrides;
pub mod checks;
pub mod citizen;
pub mod clock;
pub mod context;
pub mod declarations;
pub mod divorce;
pub mod eligibility;
pub mod error;
pub mod guide;
pub mod hash_gate;
pub mod health;
pub mod household_import;
pub mod idempotency;
pub mod mail;
pub mod offices;
pub mod outbox;
pub mod partner_auth;
pub mod partner_inbound;
pub mod partner_outbound;
pub mod rate_limits;
pub mod refusal;
pub mod registration;
pub mod schedules;
pub mod scheduling;
pub mod staff_accounts;
pub mod statistics;
pub mod sweep;
pub mod tokens;
pub mod verification;
pub mod views;

pub use context::{AppContext, StaffPolicy};
pub use error::{AppError, ErrorKind, InvalidParam};
pub use hunyin_store::{DbConn, DbError};

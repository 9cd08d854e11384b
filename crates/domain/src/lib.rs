//! The rules, pure: no IO, no database, no HTTP. Each rule cites its source.

pub mod calendar;
pub mod certificate;
pub mod division;
pub mod divorce;
pub mod divorce_status;
pub mod documents;
pub mod eligibility;
pub mod evidence;
pub mod id_number;
pub mod marital;
pub mod mask;
pub mod policy;
pub mod refusal;
pub mod schedule;
pub mod slot;
pub mod staff;
pub mod statistics;
pub mod status;
pub mod time;

pub use division::DivisionCode;
pub use id_number::IdNumber;
pub use policy::Policy;
pub use status::Status;

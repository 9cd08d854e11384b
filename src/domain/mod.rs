//! The rules, pure: no IO, no database, no HTTP. Each rule cites its source.

pub mod calendar;
pub mod certificate;
pub mod division;
pub mod eligibility;
pub mod id_number;
pub mod policy;
pub mod schedule;

pub use division::DivisionCode;
pub use id_number::IdNumber;
pub use policy::Policy;

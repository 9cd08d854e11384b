//! The one door to the library under test. Every path into `hunyin` that the suite uses is
//! named here and nowhere else, so that when the library's modules move (into crates, say),
//! this file is the only one of the suite to change. Test files write `lib::schema::…`,
//! `lib::httpsig::…` and so on.

pub use hunyin::auth::hash_password;
pub use hunyin::configuration::{LogFormat, LogSettings, MailTransport, PeerSettings, Settings};
pub use hunyin::db;
pub use hunyin::domain::id_number::{check_character, Sex};
pub use hunyin::domain::IdNumber;
pub use hunyin::mail::Mailer;
pub use hunyin::partner::{client, httpsig, keys, notifications, Partners};
pub use hunyin::routes;
pub use hunyin::schema;
pub use hunyin::startup::Application;
pub use hunyin::telemetry;

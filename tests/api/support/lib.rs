//! The one door to the crates under test. Every path into the service that the suite uses is
//! named here and nowhere else, so that when modules move, this file is the only one of the
//! suite to change. Test files write `lib::schema::…`, `lib::httpsig::…` and so on.

pub use hunyin::configuration::{
    IdentityModeSetting, LogFormat, LogSettings, MailTransport, PeerSettings, Settings,
};
pub use hunyin::startup::Application;
pub use hunyin::telemetry;
pub use hunyin::wiring::{db_config, partners};
pub use hunyin_app::auth::hash_password;
pub use hunyin_app::clock;
pub use hunyin_app::divorce as divorce_app;
pub use hunyin_app::mail::Mailer;
pub use hunyin_app::outbox::OutboxMessage;
pub use hunyin_app::partner_outbound;
pub use hunyin_app::statistics;
pub use hunyin_app::sweep;
pub use hunyin_app::tokens;
pub use hunyin_app::AppContext;
pub use hunyin_domain::id_number::{check_character, Sex};
pub use hunyin_domain::schedule::slots_on;
pub use hunyin_domain::IdNumber;
pub use hunyin_http::routes;
pub use hunyin_partner::wire;
pub use hunyin_partner::{client, httpsig, keys, Partners};
pub use hunyin_store as db;
pub use hunyin_store::schema;

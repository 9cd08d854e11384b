//! `[divorce]`: the reminders of a divorce application's issue window.

use serde::Deserialize;

/// `[divorce]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DivorceSettings {
    /// The second reminder goes out this many days before the issue window closes (0: on its
    /// last day).
    pub reminder_days_before_close: u32,
}

//! Small views shared by several answers.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use hunyin_domain::mask::mask;
use hunyin_domain::time::to_local;

/// RFC 3339 with the +08:00 offset, from a Shanghai wall-clock time.
pub fn rfc3339_local(local: NaiveDateTime) -> String {
    format!("{}+08:00", local.format("%Y-%m-%dT%H:%M:%S"))
}

/// When a slot starts and ends, in Asia/Shanghai.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SlotTimes {
    /// Present where the slot's id is worth showing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub start: String,
    pub end: String,
}

impl SlotTimes {
    /// From stored UTC times.
    pub fn from_utc(id: Option<String>, starts_at: NaiveDateTime, ends_at: NaiveDateTime) -> Self {
        SlotTimes {
            id,
            start: rfc3339_local(to_local(starts_at)),
            end: rfc3339_local(to_local(ends_at)),
        }
    }
}

/// A party shown without the full ID number.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MaskedParty {
    pub name: String,
    pub id_number_masked: String,
}

impl MaskedParty {
    /// Masks `id_number` (first 6 and last 4 characters kept).
    pub fn new(name: &str, id_number: &str) -> Self {
        MaskedParty {
            name: name.to_owned(),
            id_number_masked: mask(id_number),
        }
    }
}

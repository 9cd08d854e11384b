//! Slot identities: an office's slot is named by its Shanghai start time.

use chrono::NaiveDateTime;

/// The stable id of an office's slot starting at `start` (Shanghai time): `sz-gusu.20261201T0900`.
pub fn slot_id(office_id: &str, start: NaiveDateTime) -> String {
    format!("{office_id}.{}", start.format("%Y%m%dT%H%M"))
}

/// Splits a slot id into office id and Shanghai start time.
pub fn parse_slot_id(id: &str) -> Option<(&str, NaiveDateTime)> {
    let (office, when) = id.rsplit_once('.')?;
    let start = NaiveDateTime::parse_from_str(when, "%Y%m%dT%H%M").ok()?;
    Some((office, start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_ids_round_trip() {
        let start = NaiveDateTime::parse_from_str("2026-12-01 09:00", "%Y-%m-%d %H:%M").unwrap();
        let id = slot_id("sz.gusu", start);
        assert_eq!(id, "sz.gusu.20261201T0900");
        assert_eq!(parse_slot_id(&id), Some(("sz.gusu", start)));
        assert_eq!(parse_slot_id("no-dot"), None);
    }
}

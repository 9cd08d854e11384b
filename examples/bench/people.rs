//! Distinct people and couples: every booking of a run is by a couple no other booking uses,
//! so that no attempt is refused for a reason other than a full slot.

use serde_json::{json, Value};

use crate::inprocess;

/// The `n`th distinct person with 苏州 姑苏 hukou (valid GB 11643 number).
pub fn person(n: u64, male: bool) -> String {
    person_of("320508", n, male)
}

/// The `n`th distinct person whose number begins with the six-digit `division`.
pub fn person_of(division: &str, n: u64, male: bool) -> String {
    let seq = n * 2 + u64::from(male);
    let birth = format!(
        "19{:02}{:02}{:02}",
        70 + (seq / 1_000_000) % 25,
        1 + (seq / 1000) % 12,
        1 + (seq / 12_000) % 28
    );
    let body = format!("{division}{birth}{:03}", seq % 1000);
    let arr: [u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", inprocess::check_character(&arr))
}

/// The `n`th couple as the `parties` of a booking or walk-in.
pub fn couple(n: u64) -> Value {
    json!([
        {"id_number": person(n, true), "name": "王强", "hukou_division_code": "320508"},
        {"id_number": person(n, false), "name": "李娜", "hukou_division_code": "320508"},
    ])
}

/// The birth date (YYYY-MM-DD) inside an ID number, as the household register holds it.
pub fn birth_of(id: &str) -> String {
    format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14])
}

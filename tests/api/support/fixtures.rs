//! Test data: valid ID numbers, parties and couples in the API's shape, request bodies, and
//! the numbers and dates the service derives from the clock.

use chrono::Datelike;
use serde_json::{json, Value};

use super::lib::{check_character, telemetry};

/// An 18-character ID number: the 17 digits of `body` and their check character.
pub fn with_check_character(body: &str) -> String {
    let arr: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", check_character(&arr))
}

/// A valid 18-character ID number issued at `address` for someone born `birth` (YYYYMMDD).
pub fn id_number(address: &str, birth: &str, male: bool) -> String {
    let seq = if male { "017" } else { "026" };
    with_check_character(&format!("{address}{birth}{seq}"))
}

/// A party in the API's shape.
pub fn party(id: &str, name: &str, hukou: &str, permit: Option<(&str, &str)>) -> Value {
    json!({
        "id_number": id,
        "name": name,
        "hukou_division_code": hukou,
        "residence_permit": permit.map(|(d, u)| json!({"division_code": d, "valid_until": u})),
    })
}

/// A man 王强 and a woman 李娜, with hukou `his` and `hers`, as the API's `parties`.
pub fn couple(man: &str, his: &str, woman: &str, hers: &str) -> Value {
    json!([
        party(man, "王强", his, None),
        party(woman, "李娜", hers, None)
    ])
}

/// The `n`th distinct man (odd sequence) or woman (even sequence) born 1990-01-01 in 苏州.
pub fn nth_person(n: u32, male: bool) -> String {
    let seq = n * 2 + u32::from(male);
    let birth = format!(
        "1990{:02}{:02}",
        1 + (seq / 1000) % 12,
        1 + (seq / 12000) % 28
    );
    with_check_character(&format!("320508{birth}{:03}", seq % 1000))
}

/// The `n`th distinct couple with 苏州 hukou, as the API's `parties`.
pub fn nth_couple(n: u32) -> Value {
    couple(
        &nth_person(n, true),
        "320508",
        &nth_person(n, false),
        "320508",
    )
}

/// The masked form of an ID number, for assertion messages that must not leak it either.
pub fn masked(id: &str) -> String {
    telemetry::mask(id)
}

/// A party's declaration, affirming everything.
pub fn declaration(party: u8) -> Value {
    json!({"party": party, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": true})
}

/// Today in Shanghai, `YYYY-MM-DD`.
pub fn today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8))
        .date_naive()
        .to_string()
}

/// This year in Shanghai.
fn year() -> i32 {
    (chrono::Utc::now() + chrono::Duration::hours(8)).year()
}

/// The number of this year's `serial`th certificate of an office series, e.g. `J320508`.
pub fn certificate_number(series: &str, serial: u32) -> String {
    format!("{series}-{}-{serial:06}", year())
}

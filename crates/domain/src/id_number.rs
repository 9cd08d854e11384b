//! Resident identity numbers (居民身份证号码), GB 11643-1999.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::division;

/// Sex as encoded in an ID number: the sequence code's last digit is odd for men, even for women
/// (GB 11643-1999 §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

/// A valid 18-character citizen identity number. The only constructor is [`IdNumber::parse`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// Why a string is not a valid ID number; `code()` is the stable API code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("15-digit (pre-1999) ID numbers are not accepted; use the 18-character number")]
    Legacy,
    #[error("an ID number has 18 characters: 17 digits and a check character (0-9 or X)")]
    Format,
    #[error("the address code does not start with a mainland province code")]
    UnknownProvince,
    #[error("the date of birth in the ID number is not a real date")]
    InvalidBirthDate,
    #[error("the date of birth in the ID number is in the future")]
    FutureBirthDate,
    #[error("the check character does not match (GB 11643-1999, ISO 7064 MOD 11-2)")]
    CheckCharacter,
}

impl IdNumberError {
    /// Stable code: `legacy_id_number` for 15-digit numbers, `invalid_id_number` otherwise.
    pub fn code(&self) -> &'static str {
        match self {
            IdNumberError::Legacy => "legacy_id_number",
            _ => "invalid_id_number",
        }
    }
}

/// Weights of the 17 body digits, GB 11643-1999 §7.1 (2^(18-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each value of the weighted sum mod 11.
const CHECK: [u8; 11] = *b"10X98765432";

/// The ISO 7064 MOD 11-2 check character of 17 digits (GB 11643-1999 §7.1).
pub fn check_character(body: &[u8; 17]) -> char {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] as char
}

impl IdNumber {
    /// Parses an ID number (GB 11643-1999): 6-digit address code whose first two digits are a
    /// mainland province, date of birth YYYYMMDD that is a real date not after `today`, 3-digit
    /// sequence, and the check character. Surrounding spaces are ignored; a lowercase `x` is
    /// normalised to `X`. 15-digit numbers are refused as legacy.
    pub fn parse(input: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let s = input.trim().to_ascii_uppercase();
        let bytes = s.as_bytes();
        if bytes.len() == 15 && bytes.iter().all(u8::is_ascii_digit) {
            return Err(IdNumberError::Legacy);
        }
        if bytes.len() != 18
            || !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdNumberError::Format);
        }
        if !division::is_mainland_province_prefix(&s[..2]) {
            return Err(IdNumberError::UnknownProvince);
        }
        let birth = birth_date_of(&s).ok_or(IdNumberError::InvalidBirthDate)?;
        if birth > today {
            return Err(IdNumberError::FutureBirthDate);
        }
        let body: [u8; 17] = bytes[..17].try_into().map_err(|_| IdNumberError::Format)?;
        if check_character(&body) as u8 != bytes[17] {
            return Err(IdNumberError::CheckCharacter);
        }
        Ok(IdNumber(s))
    }

    /// The number as written (uppercase `X`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Date of birth (positions 7-14).
    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).expect("checked by parse")
    }

    /// Sex from the sequence code (position 17): odd male, even female.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The address code where the number was first issued (positions 1-6). It does not tell
    /// today's hukou: people move (domain brief §6).
    pub fn issuing_address_code(&self) -> &str {
        &self.0[..6]
    }

    /// Masked for logs and responses: first 6 and last 4 characters.
    pub fn masked(&self) -> String {
        crate::mask::mask(&self.0)
    }
}

fn birth_date_of(s: &str) -> Option<NaiveDate> {
    let y = s.get(6..10)?.parse().ok()?;
    let m = s.get(10..12)?.parse().ok()?;
    let d = s.get(12..14)?.parse().ok()?;
    // The standard was issued for people born from 1800 on; anything earlier is a typo.
    NaiveDate::from_ymd_opt(y, m, d).filter(|b| b.year() >= 1800)
}

/// Never prints the full number.
impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    /// Builds a valid number from its parts, computing the check character.
    pub fn make(address: &str, birth: &str, seq: &str) -> String {
        let body = format!("{address}{birth}{seq}");
        let arr: [u8; 17] = body.as_bytes().try_into().unwrap();
        format!("{body}{}", check_character(&arr))
    }

    #[test]
    fn standard_example_parses() {
        // GB 11643-1999 appendix example: 11010519491231002X, a woman born 1949-12-31.
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.issuing_address_code(), "110105");
    }

    #[test]
    fn lowercase_x_is_normalised() {
        let id = IdNumber::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn odd_sequence_is_male() {
        let id = IdNumber::parse(&make("320505", "19900101", "011"), today()).unwrap();
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn fifteen_digits_are_legacy() {
        let e = IdNumber::parse("110105491231002", today()).unwrap_err();
        assert_eq!(e, IdNumberError::Legacy);
        assert_eq!(e.code(), "legacy_id_number");
    }

    #[test]
    fn wrong_check_character_is_refused() {
        let e = IdNumber::parse("110105194912310021", today()).unwrap_err();
        assert_eq!(e, IdNumberError::CheckCharacter);
        assert_eq!(e.code(), "invalid_id_number");
    }

    #[test]
    fn impossible_birth_date_is_refused() {
        let n = make("320505", "20230229", "012");
        assert_eq!(
            IdNumber::parse(&n, today()),
            Err(IdNumberError::InvalidBirthDate)
        );
    }

    #[test]
    fn birth_date_today_is_accepted_tomorrow_refused() {
        assert!(IdNumber::parse(&make("320505", "20261126", "012"), today()).is_ok());
        let n = make("320505", "20261127", "012");
        assert_eq!(
            IdNumber::parse(&n, today()),
            Err(IdNumberError::FutureBirthDate)
        );
    }

    #[test]
    fn non_mainland_province_prefix_is_refused() {
        // 71 is Taiwan, 99 no province: neither is a mainland resident ID.
        for prefix in ["710101", "990101", "000000"] {
            let n = make(prefix, "19900101", "012");
            assert_eq!(
                IdNumber::parse(&n, today()),
                Err(IdNumberError::UnknownProvince)
            );
        }
    }

    #[test]
    fn abolished_address_codes_still_parse() {
        // 320103 白下区 was abolished in 2013; numbers issued there stay valid.
        assert!(IdNumber::parse(&make("320103", "19850615", "024"), today()).is_ok());
    }

    #[test]
    fn malformed_shapes_are_format_errors() {
        for s in [
            "",
            "abc",
            "11010519491231002",
            "11010519491231002XX",
            "1101051949123100 X",
        ] {
            assert_eq!(
                IdNumber::parse(s, today()),
                Err(IdNumberError::Format),
                "{s:?}"
            );
        }
    }

    #[test]
    fn debug_masks_the_number() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(format!("{id:?}"), "IdNumber(110105********002X)");
    }

    fn valid_number() -> impl Strategy<Value = String> {
        let provinces = prop::sample::select(vec!["11", "32", "41", "42", "61", "65"]);
        (
            provinces,
            0u32..10_000,
            1900i32..2026,
            1u32..=12,
            1u32..=28,
            0u32..1000,
        )
            .prop_map(|(p, rest, y, m, d, seq)| {
                make(
                    &format!("{p}{rest:04}"),
                    &format!("{y:04}{m:02}{d:02}"),
                    &format!("{seq:03}"),
                )
            })
    }

    proptest! {
        #[test]
        fn every_correctly_checked_number_parses(n in valid_number()) {
            prop_assert!(IdNumber::parse(&n, today()).is_ok(), "{}", n);
        }

        #[test]
        fn any_single_character_change_is_refused(
            n in valid_number(),
            pos in 0usize..18,
            shift in 1usize..11,
        ) {
            // Another character of the alphabet, by construction (no rejected cases).
            const ALPHABET: &[u8; 11] = b"0123456789X";
            let mut bytes = n.clone().into_bytes();
            let at = ALPHABET.iter().position(|c| *c == bytes[pos]).unwrap();
            bytes[pos] = ALPHABET[(at + shift) % 11];
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse(&changed, today()).is_err(), "{} -> {}", n, changed);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = IdNumber::parse(&s, today());
        }
    }
}

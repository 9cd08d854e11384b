//! Administrative division codes (行政区划代码), GB/T 2260: six digits, positions 1-2 the
//! province, 3-4 the city (prefecture), 5-6 the county. The table of every mainland code, with
//! abolished ones marked, ships in `data/gb2260.tsv` (source and vintage in `data/gb2260.md`).

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

/// The committed table, compiled in.
const TABLE: &str = include_str!("../../../data/gb2260.tsv");

/// One listed division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: DivisionCode,
    pub name: &'static str,
    /// Abolished codes stay valid in household registers and ID numbers (GB/T 2260 never
    /// reuses a code).
    pub abolished: bool,
}

static DIVISIONS: LazyLock<HashMap<u32, (&'static str, bool)>> = LazyLock::new(|| {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            let code = f.next()?.parse().ok()?;
            let name = f.next()?;
            let abolished = f.next()? == "abolished";
            Some((code, (name, abolished)))
        })
        .collect()
});

/// A six-digit division code that is listed in the table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode(u32);

/// Level of a division, read from its code (GB/T 2260 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    City,
    County,
}

/// Why a string is not a usable division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionError {
    #[error("a division code has exactly six digits")]
    Format,
    #[error("no such GB/T 2260 division code")]
    Unknown,
}

impl DivisionError {
    /// Stable API code.
    pub fn code(&self) -> &'static str {
        match self {
            DivisionError::Format => "invalid_division_code",
            DivisionError::Unknown => "unknown_division_code",
        }
    }
}

impl DivisionCode {
    /// Parses six digits that name a listed (current or abolished) division.
    pub fn parse(s: &str) -> Result<DivisionCode, DivisionError> {
        let s = s.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DivisionError::Format);
        }
        let n: u32 = s.parse().map_err(|_| DivisionError::Format)?;
        if DIVISIONS.contains_key(&n) {
            Ok(DivisionCode(n))
        } else {
            Err(DivisionError::Unknown)
        }
    }

    /// The code as six digits.
    pub fn as_string(&self) -> String {
        format!("{:06}", self.0)
    }

    /// Province prefix (2 digits).
    pub fn province(&self) -> String {
        format!("{:02}", self.0 / 10_000)
    }

    /// Province + city prefix (4 digits).
    pub fn city(&self) -> String {
        format!("{:04}", self.0 / 100)
    }

    /// Level read from the trailing zeros.
    pub fn level(&self) -> Level {
        if self.0.is_multiple_of(10_000) {
            Level::Province
        } else if self.0.is_multiple_of(100) {
            Level::City
        } else {
            Level::County
        }
    }

    /// True when `place` lies within this division: the same county, any county of this city,
    /// any place of this province, by this code's own level.
    pub fn contains(&self, place: &DivisionCode) -> bool {
        match self.level() {
            Level::County => self == place,
            Level::City => self.city() == place.city(),
            Level::Province => self.province() == place.province(),
        }
    }

    /// True when the code starts with `prefix` (digits).
    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.as_string().starts_with(prefix)
    }

    /// The listed division.
    pub fn division(&self) -> Division {
        let (name, abolished) = DIVISIONS.get(&self.0).copied().unwrap_or(("", false));
        Division {
            code: *self,
            name,
            abolished,
        }
    }

    /// The name, e.g. `虎丘区`.
    pub fn name(&self) -> &'static str {
        self.division().name
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl fmt::Debug for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DivisionCode({:06})", self.0)
    }
}

/// Every current (not abolished) listed division, by code: what a place picker offers.
pub fn current() -> Vec<Division> {
    let mut out: Vec<Division> = DIVISIONS
        .iter()
        .filter(|(_, (_, abolished))| !abolished)
        .map(|(code, (name, _))| Division {
            code: DivisionCode(*code),
            name,
            abolished: false,
        })
        .collect();
    out.sort_by_key(|d| d.code);
    out
}

/// True when `prefix` (two digits) is a province of the mainland (GB/T 2260: 11-65; Taiwan 71,
/// Hong Kong 81 and Macau 82 are outside the pilot).
pub fn is_mainland_province_prefix(prefix: &str) -> bool {
    prefix.len() == 2
        && prefix
            .parse::<u32>()
            .is_ok_and(|p| DIVISIONS.contains_key(&(p * 10_000)))
}

/// True when `prefix` is 2, 4 or 6 digits and some listed code starts with it.
pub fn is_known_prefix(prefix: &str) -> bool {
    if !matches!(prefix.len(), 2 | 4 | 6) || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    DIVISIONS
        .keys()
        .any(|c| format!("{c:06}").starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_county_parses_with_name_and_levels() {
        let c = DivisionCode::parse("320505").unwrap();
        assert_eq!(c.name(), "虎丘区");
        assert_eq!(c.province(), "32");
        assert_eq!(c.city(), "3205");
        assert_eq!(c.level(), Level::County);
        assert!(!c.division().abolished);
    }

    #[test]
    fn province_and_city_levels() {
        assert_eq!(
            DivisionCode::parse("320000").unwrap().level(),
            Level::Province
        );
        assert_eq!(DivisionCode::parse("320500").unwrap().level(), Level::City);
        assert_eq!(DivisionCode::parse("610100").unwrap().name(), "西安市");
        assert_eq!(DivisionCode::parse("420100").unwrap().name(), "武汉市");
    }

    #[test]
    fn abolished_code_is_known_and_marked() {
        let c = DivisionCode::parse("320103").unwrap();
        assert_eq!(c.name(), "白下区");
        assert!(c.division().abolished);
    }

    #[test]
    fn unlisted_or_malformed_codes_are_refused() {
        assert_eq!(DivisionCode::parse("329999"), Err(DivisionError::Unknown));
        assert_eq!(DivisionCode::parse("710000"), Err(DivisionError::Unknown));
        assert_eq!(DivisionCode::parse("32050"), Err(DivisionError::Format));
        assert_eq!(DivisionCode::parse("32050a"), Err(DivisionError::Format));
        assert_eq!(
            DivisionCode::parse("３２０５０５"),
            Err(DivisionError::Format)
        );
    }

    #[test]
    fn every_mainland_province_is_listed() {
        let provinces = [
            11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50,
            51, 52, 53, 54, 61, 62, 63, 64, 65,
        ];
        for p in provinces {
            assert!(is_mainland_province_prefix(&p.to_string()), "{p}");
        }
        assert!(!is_mainland_province_prefix("71"));
        assert!(!is_mainland_province_prefix("81"));
    }

    #[test]
    fn table_is_large_enough_to_be_complete() {
        let current = DIVISIONS.values().filter(|(_, a)| !a).count();
        assert!(current > 3000, "{current} current codes");
    }

    #[test]
    fn a_division_contains_the_places_of_its_level() {
        let c = |s: &str| DivisionCode::parse(s).unwrap();
        assert!(c("320102").contains(&c("320102")));
        assert!(!c("320102").contains(&c("320105")));
        assert!(c("320500").contains(&c("320508")));
        assert!(!c("320500").contains(&c("320102")));
        assert!(c("320000").contains(&c("321002")));
        assert!(!c("320000").contains(&c("410102")));
    }

    #[test]
    fn prefixes() {
        assert!(is_known_prefix("32"));
        assert!(is_known_prefix("4201"));
        assert!(!is_known_prefix("99"));
        assert!(!is_known_prefix("321"));
    }

    proptest::proptest! {
        /// Arbitrary text (request bodies, CSV cells) never panics the parser; whatever parses
        /// is six digits with a known province.
        #[test]
        fn no_input_panics(s in "\\PC{0,12}|[0-9]{6}") {
            if let Ok(c) = DivisionCode::parse(&s) {
                let text = c.as_string();
                proptest::prop_assert_eq!(text.len(), 6);
                proptest::prop_assert!(is_known_prefix(&c.province()[..2]));
            }
        }
    }
}

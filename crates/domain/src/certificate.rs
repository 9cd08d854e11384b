//! Marriage certificate numbers (结婚证字号): `J` + the registering office's six-digit GB/T 2260
//! code + `-` + four-digit year + `-` + six-digit serial counted per office, year and kind
//! (domain brief §5; e.g. `J110101-2010-000001`). `BJ` marks a reissued certificate (补发), with
//! its own counter (UNCONFIRMED reading, per the brief).

use std::fmt;

/// Kind of certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 结婚证.
    Marriage,
    /// 补发的结婚证.
    ReissuedMarriage,
    /// 离婚证 (domain brief 8b).
    Divorce,
    /// 补发的离婚证.
    ReissuedDivorce,
}

impl Kind {
    /// The number's prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Marriage => "J",
            Kind::ReissuedMarriage => "BJ",
            Kind::Divorce => "L",
            Kind::ReissuedDivorce => "BL",
        }
    }
}

impl Kind {
    /// A marriage certificate (J or BJ).
    pub fn is_marriage(self) -> bool {
        matches!(self, Kind::Marriage | Kind::ReissuedMarriage)
    }

    /// A divorce certificate (L or BL).
    pub fn is_divorce(self) -> bool {
        !self.is_marriage()
    }
}

/// A well-formed certificate number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateNumber {
    pub kind: Kind,
    pub office_code: String,
    pub year: i32,
    pub serial: u32,
}

impl CertificateNumber {
    /// Parses `J320508-2026-000001`, `BJ…`, `L…` (a divorce) or `BL…`.
    pub fn parse(s: &str) -> Option<CertificateNumber> {
        let (kind, rest) = if let Some(r) = s.strip_prefix("BJ") {
            (Kind::ReissuedMarriage, r)
        } else if let Some(r) = s.strip_prefix("BL") {
            (Kind::ReissuedDivorce, r)
        } else if let Some(r) = s.strip_prefix('L') {
            (Kind::Divorce, r)
        } else {
            (Kind::Marriage, s.strip_prefix('J')?)
        };
        let mut parts = rest.split('-');
        let (code, year, serial) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |x: &str, n: usize| x.len() == n && x.bytes().all(|b| b.is_ascii_digit());
        if parts.next().is_some() || !digits(code, 6) || !digits(year, 4) || !digits(serial, 6) {
            return None;
        }
        let serial: u32 = serial.parse().ok()?;
        (serial > 0).then_some(())?;
        Some(CertificateNumber {
            kind,
            office_code: code.to_owned(),
            year: year.parse().ok()?,
            serial,
        })
    }
}

impl fmt::Display for CertificateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}-{:04}-{:06}",
            self.kind.prefix(),
            self.office_code,
            self.year,
            self.serial
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_briefs_example_round_trips() {
        let n = CertificateNumber::parse("J110101-2010-000001").unwrap();
        assert_eq!(n.kind, Kind::Marriage);
        assert_eq!(
            (n.office_code.as_str(), n.year, n.serial),
            ("110101", 2010, 1)
        );
        assert_eq!(n.to_string(), "J110101-2010-000001");
    }

    #[test]
    fn reissued_numbers_carry_bj() {
        let n = CertificateNumber::parse("BJ320508-2026-000042").unwrap();
        assert_eq!(n.kind, Kind::ReissuedMarriage);
        assert_eq!(n.to_string(), "BJ320508-2026-000042");
    }

    #[test]
    fn divorce_numbers_carry_l_and_bl() {
        let n = CertificateNumber::parse("L320508-2026-000007").unwrap();
        assert_eq!(n.kind, Kind::Divorce);
        assert_eq!(n.to_string(), "L320508-2026-000007");
        let n = CertificateNumber::parse("BL320508-2026-000001").unwrap();
        assert_eq!(n.kind, Kind::ReissuedDivorce);
        assert!(n.kind.is_divorce() && !n.kind.is_marriage());
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for s in [
            "",
            "J",
            "X320508-2026-000001",
            "LJ320508-2026-000001",
            "J32050-2026-000001",
            "J320508-26-000001",
            "J320508-2026-00001",
            "J320508-2026-000000",
            "J320508-2026-000001-1",
            "j320508-2026-000001",
        ] {
            assert!(CertificateNumber::parse(s).is_none(), "{s}");
        }
    }

    proptest::proptest! {
        /// Whatever comes in (a URL path segment, a partner's notification), parsing answers
        /// and never panics.
        #[test]
        fn no_input_panics(s in "\\PC{0,40}") {
            let _ = CertificateNumber::parse(&s);
        }

        #[test]
        fn every_well_formed_number_round_trips(
            kind in 0usize..4,
            office in "[0-9]{6}",
            year in 1990i32..2100,
            serial in 1u32..=999_999,
        ) {
            let kind = [Kind::Marriage, Kind::ReissuedMarriage, Kind::Divorce, Kind::ReissuedDivorce][kind];
            let n = CertificateNumber { kind, office_code: office, year, serial };
            let text = n.to_string();
            let back = CertificateNumber::parse(&text).unwrap();
            proptest::prop_assert_eq!(back.to_string(), text);
            proptest::prop_assert_eq!(back.serial, serial);
        }
    }
}

//! How the pilot statistics classify a registration.

use crate::eligibility::{Basis, BasisKind};

/// Local (both parties' hukou in this region, one of them in the office's city), cross-city
/// (both in the region, neither in the office's city: registered on a residence permit or the
/// region's own 省内通办 rule) or cross-province (a party's hukou outside the region, whose
/// province prefix is returned).
pub fn classify(
    region_prefix: &str,
    office_division: &str,
    hukou: &[String],
) -> (&'static str, Option<String>) {
    if let Some(out) = hukou.iter().find(|h| !h.starts_with(region_prefix)) {
        return ("cross_province", Some(out.chars().take(2).collect()));
    }
    let city = |c: &str| c.chars().take(4).collect::<String>();
    if hukou.iter().any(|h| city(h) == city(office_division)) {
        ("local", None)
    } else {
        ("cross_city", None)
    }
}

/// `hukou` when any party's hukou gives the office jurisdiction, else `residence_permit`.
pub fn basis_of(bases: &[Basis]) -> &'static str {
    if bases.iter().any(|b| b.basis == BasisKind::Hukou) || bases.is_empty() {
        "hukou"
    } else {
        "residence_permit"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_are_classified_by_the_parties_hukou() {
        let c = |a: &str, b: &str| classify("32", "320508", &[a.to_owned(), b.to_owned()]);
        assert_eq!(c("320508", "320102"), ("local", None));
        assert_eq!(c("320102", "320505"), ("local", None), "same city 苏州");
        assert_eq!(c("320102", "320302"), ("cross_city", None));
        assert_eq!(c("320508", "410105"), ("cross_province", Some("41".into())));
        assert_eq!(c("610113", "320508"), ("cross_province", Some("61".into())));
    }
}

//! The jurisdiction timeline as data (domain brief §1): which office may register a couple, by
//! date and region. Loaded from `config/policy.toml`; validated once at start.

use chrono::NaiveDate;
use serde::Deserialize;

use super::division::{is_known_prefix, DivisionCode};

/// How far a party's hukou or permit reaches: the office and the party's division must share
/// the prefix of this level, or (`National`) any office will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    County,
    City,
    Province,
    National,
}

impl Scope {
    /// True when an office at `office` is within this scope of `place`.
    pub fn covers(self, office: DivisionCode, place: DivisionCode) -> bool {
        match self {
            Scope::County => office == place,
            Scope::City => office.city() == place.city(),
            Scope::Province => office.province() == place.province(),
            Scope::National => true,
        }
    }
}

/// A registration service a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Marriage,
    Divorce,
}

/// Where hukou and residence permits let a couple register, for one region in one period.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub services: Vec<Service>,
    pub hukou_scope: Scope,
    #[serde(default)]
    pub permit_scope: Option<Scope>,
}

/// A region singled out in a period (a pilot area).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionRule {
    pub prefix: String,
    pub name: String,
    #[serde(flatten)]
    pub rule: Rule,
}

/// One period of the timeline.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub id: String,
    pub from: NaiveDate,
    #[serde(default)]
    pub until: Option<NaiveDate>,
    /// The legal source, cited in answers.
    pub basis: String,
    pub default: Rule,
    #[serde(default, rename = "region")]
    pub regions: Vec<RegionRule>,
}

/// The whole timeline, periods in date order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(rename = "period")]
    pub periods: Vec<Period>,
}

/// The rule that applies at an office on a date, with its source.
#[derive(Debug, Clone)]
pub struct Applicable<'a> {
    pub period: &'a Period,
    pub rule: &'a Rule,
    /// The pilot region the rule comes from, if any.
    pub region: Option<&'a RegionRule>,
}

impl Applicable<'_> {
    /// The citation for answers: the period's basis.
    pub fn citation(&self) -> &str {
        &self.period.basis
    }
}

impl Policy {
    /// Checks the timeline: at least one period, `from <= until`, no overlaps, known prefixes,
    /// every rule covering some service. Sorts periods by start.
    pub fn validated(mut self) -> Result<Policy, String> {
        if self.periods.is_empty() {
            return Err("the policy has no period".into());
        }
        self.periods.sort_by_key(|p| p.from);
        for p in &self.periods {
            if p.until.is_some_and(|u| u < p.from) {
                return Err(format!("period {}: until is before from", p.id));
            }
            if p.default.services.is_empty() {
                return Err(format!("period {}: default covers no service", p.id));
            }
            for r in &p.regions {
                if !is_known_prefix(&r.prefix) {
                    return Err(format!(
                        "period {}: region prefix {:?} is not a GB/T 2260 prefix",
                        p.id, r.prefix
                    ));
                }
                if r.rule.services.is_empty() {
                    return Err(format!(
                        "period {}: region {} covers no service",
                        p.id, r.prefix
                    ));
                }
            }
        }
        for pair in self.periods.windows(2) {
            match pair[0].until {
                Some(u) if u < pair[1].from => {}
                _ => return Err(format!("periods {} and {} overlap", pair[0].id, pair[1].id)),
            }
        }
        Ok(self)
    }

    /// Parses and validates a TOML timeline.
    pub fn from_toml(text: &str) -> Result<Policy, String> {
        let policy: Policy = toml::from_str(text).map_err(|e| e.to_string())?;
        policy.validated()
    }

    /// The period in force on `date`.
    pub fn period_on(&self, date: NaiveDate) -> Option<&Period> {
        self.periods
            .iter()
            .find(|p| p.from <= date && p.until.is_none_or(|u| date <= u))
    }

    /// The rule for `service` at an office in `office` on `date`: the longest region prefix of
    /// the period that covers the service, else the period's default (if it covers it).
    pub fn rule_at(
        &self,
        office: DivisionCode,
        date: NaiveDate,
        service: Service,
    ) -> Option<Applicable<'_>> {
        let period = self.period_on(date)?;
        let region = period
            .regions
            .iter()
            .filter(|r| office.has_prefix(&r.prefix) && r.rule.services.contains(&service))
            .max_by_key(|r| r.prefix.len());
        match region {
            Some(r) => Some(Applicable {
                period,
                rule: &r.rule,
                region: Some(r),
            }),
            None if period.default.services.contains(&service) => Some(Applicable {
                period,
                rule: &period.default,
                region: None,
            }),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Policy {
        Policy::from_toml(include_str!("../../../config/policy.toml"))
            .expect("shipped policy is valid")
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).unwrap()
    }

    #[test]
    fn pilot_starts_2021_06_01() {
        let p = shipped();
        let before = p
            .rule_at(code("320505"), d("2021-05-31"), Service::Marriage)
            .unwrap();
        let on = p
            .rule_at(code("320505"), d("2021-06-01"), Service::Marriage)
            .unwrap();
        assert_eq!(before.period.id, "ordinary-2003");
        assert!(before.rule.permit_scope.is_none());
        assert_eq!(on.period.id, "pilot-2021");
        assert_eq!(on.rule.permit_scope, Some(Scope::City));
        assert_eq!(on.rule.hukou_scope, Scope::Province);
    }

    #[test]
    fn expansion_starts_2023_06_01() {
        let p = shipped();
        let last = p
            .rule_at(code("410105"), d("2023-05-31"), Service::Marriage)
            .unwrap();
        let first = p
            .rule_at(code("410105"), d("2023-06-01"), Service::Marriage)
            .unwrap();
        assert_eq!(
            (last.period.id.as_str(), last.rule.hukou_scope),
            ("pilot-2021", Scope::County)
        );
        assert_eq!(
            (first.period.id.as_str(), first.rule.hukou_scope),
            ("expansion-2023", Scope::Province)
        );
    }

    #[test]
    fn longest_prefix_wins_wuhan_over_hubei() {
        let p = shipped();
        let wuhan = p
            .rule_at(code("420102"), d("2022-01-01"), Service::Marriage)
            .unwrap();
        assert_eq!(wuhan.region.unwrap().prefix, "4201");
        // 宜昌 is in 湖北 but not a 2021 pilot area: the ordinary rule.
        let yichang = p
            .rule_at(code("420502"), d("2022-01-01"), Service::Marriage)
            .unwrap();
        assert!(yichang.region.is_none());
        assert!(yichang.rule.permit_scope.is_none());
    }

    #[test]
    fn jiangsu_pilot_covers_marriage_not_divorce() {
        let p = shipped();
        let divorce = p
            .rule_at(code("320505"), d("2022-01-01"), Service::Divorce)
            .unwrap();
        assert!(
            divorce.region.is_none(),
            "divorce falls back to the ordinary rule"
        );
    }

    #[test]
    fn before_the_first_period_nothing_applies() {
        assert!(shipped()
            .rule_at(code("320505"), d("2003-09-30"), Service::Marriage)
            .is_none());
    }

    #[test]
    fn nationwide_from_2025_05_10() {
        let p = shipped();
        let r = p
            .rule_at(code("320505"), d("2025-05-10"), Service::Marriage)
            .unwrap();
        assert_eq!(r.rule.hukou_scope, Scope::National);
    }

    #[test]
    fn overlapping_periods_are_refused() {
        let text = r#"
            [[period]]
            id = "a"
            from = "2020-01-01"
            until = "2021-01-01"
            basis = "x"
            default = { services = ["marriage"], hukou_scope = "county" }
            [[period]]
            id = "b"
            from = "2021-01-01"
            basis = "y"
            default = { services = ["marriage"], hukou_scope = "county" }
        "#;
        assert!(Policy::from_toml(text).unwrap_err().contains("overlap"));
    }

    #[test]
    fn unknown_prefix_and_unknown_key_are_refused() {
        let bad_prefix = r#"
            [[period]]
            id = "a"
            from = "2020-01-01"
            basis = "x"
            default = { services = ["marriage"], hukou_scope = "county" }
            [[period.region]]
            prefix = "99"
            name = "?"
            services = ["marriage"]
            hukou_scope = "county"
        "#;
        assert!(Policy::from_toml(bad_prefix).unwrap_err().contains("99"));
        let bad_key = r#"
            [[period]]
            id = "a"
            from = "2020-01-01"
            basis = "x"
            colour = "red"
            default = { services = ["marriage"], hukou_scope = "county" }
        "#;
        assert!(Policy::from_toml(bad_key).unwrap_err().contains("colour"));
    }

    #[test]
    fn scopes_compare_prefixes() {
        let huqiu = code("320505");
        assert!(Scope::County.covers(huqiu, code("320505")));
        assert!(!Scope::County.covers(huqiu, code("320506")));
        assert!(Scope::City.covers(huqiu, code("320583")));
        assert!(!Scope::City.covers(huqiu, code("320102")));
        assert!(Scope::Province.covers(huqiu, code("320102")));
        assert!(!Scope::Province.covers(huqiu, code("410105")));
        assert!(Scope::National.covers(huqiu, code("650102")));
    }
}

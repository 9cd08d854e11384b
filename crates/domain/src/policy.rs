//! The jurisdiction timeline as data (domain brief §1): which office may register a couple, by
//! date and region. Loaded from `config/policy.toml`; validated once at start.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::division::{is_known_prefix, DivisionCode};

/// How far a party's hukou or permit reaches: the office and the party's division must share
/// the prefix of this level, or (`National`) any office will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
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

impl Service {
    /// The name in the API and the policy data.
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Marriage => "marriage",
            Service::Divorce => "divorce",
        }
    }

    /// Parses the API name.
    pub fn parse(s: &str) -> Option<Service> {
        match s {
            "marriage" => Some(Service::Marriage),
            "divorce" => Some(Service::Divorce),
            _ => None,
        }
    }
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
    /// What a couple brings in this period, per service (codes of `documents`' catalogue).
    pub documents: PeriodDocuments,
}

/// The documents lists of one period (domain brief §3, §8b, §8c).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodDocuments {
    pub marriage: Vec<String>,
    pub divorce: Vec<String>,
}

impl PeriodDocuments {
    /// The list for `service`.
    pub fn of(&self, service: Service) -> &[String] {
        match service {
            Service::Marriage => &self.marriage,
            Service::Divorce => &self.divorce,
        }
    }
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
            for (service, list) in [
                ("marriage", &p.documents.marriage),
                ("divorce", &p.documents.divorce),
            ] {
                if list.is_empty() {
                    return Err(format!("period {}: no {service} documents", p.id));
                }
                crate::documents::validate(list)
                    .map_err(|e| format!("period {}: {service} documents: {e}", p.id))?;
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
#[path = "policy_tests.rs"]
mod tests;

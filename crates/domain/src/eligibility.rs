//! May this couple marry (or divorce), and where? The legal conditions (民法典 婚姻家庭编) and
//! the jurisdiction of the registering office (婚姻登记条例, 国函〔2021〕48号, 国函〔2023〕34号 and
//! the policy timeline, which says per period and region which services a rule covers).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::division::DivisionCode;
use super::id_number::{IdNumber, Sex};
use super::policy::{Policy, Scope, Service};

pub use super::documents::Document;

/// Minimum age of a man, in full years (民法典 第1047条).
pub const MIN_AGE_MAN: u32 = 22;
/// Minimum age of a woman, in full years (民法典 第1047条).
pub const MIN_AGE_WOMAN: u32 = 20;

/// A party as the applicant states them; parsed, not yet judged.
#[derive(Debug, Clone)]
pub struct Party {
    pub id_number: IdNumber,
    pub name: String,
    pub hukou: DivisionCode,
    pub residence_permit: Option<ResidencePermit>,
}

/// A residence permit (居住证): the issuing division and the last day it is valid, endorsement
/// (签注) included (居住证暂行条例 第10条).
#[derive(Debug, Clone, Copy)]
pub struct ResidencePermit {
    pub division: DivisionCode,
    pub valid_until: NaiveDate,
}

/// A registration office, as far as eligibility needs it.
#[derive(Debug, Clone)]
pub struct OfficeRef {
    pub id: String,
    pub name: String,
    pub division: DivisionCode,
}

/// What lets the couple register at an office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BasisKind {
    Hukou,
    ResidencePermit,
}

/// One legal basis: which party, by hukou or permit, in which division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Basis {
    pub party: usize,
    pub basis: BasisKind,
    pub division_code: String,
}

/// A reason the couple may not register (or not there), with the rule's citation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: &'static str,
    pub party: Option<usize>,
    pub message: String,
    pub message_zh: String,
    pub rule: String,
}

/// The answer for a couple on a date.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub eligible: bool,
    pub bases: Vec<Basis>,
    /// Indexes into the offices given to [`assess`].
    pub offices: Vec<usize>,
    pub documents: Vec<Document>,
    pub problems: Vec<Problem>,
}

/// The day a person born on `birth` reaches `years` full years: the birthday itself; a
/// 29 February birthday is reached on 1 March in a non-leap year (民法典 第1047条, reading in
/// the domain brief §2).
pub fn attains_age_on(birth: NaiveDate, years: u32) -> NaiveDate {
    let year = birth.year() + years as i32;
    birth
        .with_year(year)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 3, 1).expect("1 March exists every year"))
}

/// Minimum age for this sex (民法典 第1047条).
pub fn minimum_age(sex: Sex) -> u32 {
    match sex {
        Sex::Male => MIN_AGE_MAN,
        Sex::Female => MIN_AGE_WOMAN,
    }
}

fn problem(
    code: &'static str,
    party: Option<usize>,
    en: String,
    zh: String,
    rule: &str,
) -> Problem {
    Problem {
        code,
        party,
        message: en,
        message_zh: zh,
        rule: rule.to_owned(),
    }
}

/// Conditions on the persons themselves: two distinct persons (民法典 第1049条: both apply in
/// person), a man and a woman, each of marriageable age on `date` (民法典 第1047条).
pub fn legal_problems(parties: &[Party; 2], date: NaiveDate) -> Vec<Problem> {
    let mut out = Vec::new();
    if parties[0].id_number == parties[1].id_number {
        out.push(problem(
            "same_person",
            None,
            "Both parties have the same ID number: a marriage needs two persons.".into(),
            "双方身份证号码相同：结婚须为两个人。".into(),
            "民法典 第1049条",
        ));
        return out;
    }
    if parties[0].id_number.sex() == parties[1].id_number.sex() {
        out.push(problem(
            "same_sex",
            None,
            "Marriage is registered between a man and a woman.".into(),
            "结婚登记须为一男一女。".into(),
            "民法典 第1046条、第1047条",
        ));
    }
    for (i, p) in parties.iter().enumerate() {
        let min = minimum_age(p.id_number.sex());
        let from = attains_age_on(p.id_number.birth_date(), min);
        if date < from {
            out.push(problem(
                "under_age",
                Some(i),
                format!("Party {i} reaches the minimum age of {min} on {from}."),
                format!(
                    "第{}方当事人于{from}年满{min}周岁，登记日尚未达到法定婚龄。",
                    i + 1
                ),
                "民法典 第1047条",
            ));
        }
    }
    out
}

/// Conditions on the persons for a divorce by agreement: two distinct persons (民法典 第1076条:
/// both apply in person, together). Age and sex are not conditions of a divorce.
fn divorce_problems(parties: &[Party; 2]) -> Vec<Problem> {
    if parties[0].id_number != parties[1].id_number {
        return Vec::new();
    }
    vec![problem(
        "same_person",
        None,
        "Both parties have the same ID number: a divorce is between the two spouses.".into(),
        "双方身份证号码相同：离婚登记须由夫妻双方共同申请。".into(),
        "民法典 第1076条",
    )]
}

/// The service's name in a sentence: (English, Chinese).
fn service_words(service: Service) -> (&'static str, &'static str) {
    match service {
        Service::Marriage => ("marriage", "结婚"),
        Service::Divorce => ("divorce", "离婚"),
    }
}

/// Per-office outcome: bases, or the reasons there are none.
fn office_bases(
    policy: &Policy,
    office: &OfficeRef,
    parties: &[Party; 2],
    date: NaiveDate,
    service: Service,
) -> Result<Vec<Basis>, Vec<Problem>> {
    let (en, zh) = service_words(service);
    let Some(applicable) = policy.rule_at(office.division, date, service) else {
        let basis = policy.period_on(date).map_or("", |p| p.basis.as_str());
        return Err(vec![problem(
            "service_not_covered",
            None,
            format!("{} does not register {en} on {date}.", office.name),
            format!("{}在{date}不办理{zh}登记。", office.name),
            basis,
        )]);
    };
    let rule = applicable.rule;
    let cite = applicable.citation().to_owned();
    let mut bases = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        if rule.hukou_scope.covers(office.division, p.hukou) {
            bases.push(Basis {
                party: i,
                basis: BasisKind::Hukou,
                division_code: p.hukou.to_string(),
            });
        }
    }
    let mut problems = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        let Some(permit) = p.residence_permit else {
            continue;
        };
        match rule.permit_scope {
            Some(scope) if scope.covers(office.division, permit.division) => {
                if permit.valid_until >= date {
                    bases.push(Basis {
                        party: i,
                        basis: BasisKind::ResidencePermit,
                        division_code: permit.division.to_string(),
                    });
                } else {
                    problems.push(problem(
                        "residence_permit_expired",
                        Some(i),
                        format!(
                            "Party {i}'s residence permit expired on {} (registration date {date}).",
                            permit.valid_until
                        ),
                        format!(
                            "第{}方当事人的居住证有效期至{}，登记日已失效（含签注）。",
                            i + 1,
                            permit.valid_until
                        ),
                        "居住证暂行条例 第10条; 国函〔2021〕48号",
                    ));
                }
            }
            Some(scope) => problems.push(problem(
                "residence_permit_out_of_scope",
                Some(i),
                format!(
                    "Party {i}'s residence permit was issued in {} ({}), outside this office's {} .",
                    permit.division.name(),
                    permit.division,
                    scope_name(scope)
                ),
                format!(
                    "第{}方当事人的居住证签发地为{}（{}），不在本登记机关的{}范围内。",
                    i + 1,
                    permit.division.name(),
                    permit.division,
                    scope_name_zh(scope)
                ),
                &cite,
            )),
            None => {}
        }
    }
    if bases.is_empty() {
        problems.push(problem(
            "no_jurisdiction",
            None,
            format!(
                "{} may register this couple's {en} only on the basis of a party's hukou{} ({}).",
                office.name,
                if rule.permit_scope.is_some() {
                    " or valid local residence permit"
                } else {
                    ""
                },
                cite
            ),
            format!(
                "{}只能依据一方的常住户口{}办理{zh}登记（{}）。",
                office.name,
                if rule.permit_scope.is_some() {
                    "或有效的本地居住证"
                } else {
                    ""
                },
                cite
            ),
            &cite,
        ));
        return Err(problems);
    }
    Ok(bases)
}

fn scope_name(s: Scope) -> &'static str {
    match s {
        Scope::County => "county",
        Scope::City => "city",
        Scope::Province => "province",
        Scope::National => "country",
    }
}

fn scope_name_zh(s: Scope) -> &'static str {
    match s {
        Scope::County => "县（区）",
        Scope::City => "市",
        Scope::Province => "省",
        Scope::National => "全国",
    }
}

/// Documents to bring: the period's list for the service (policy data, see `documents`), with
/// the residence permit of each party whose permit is a basis.
fn documents(policy: &Policy, date: NaiveDate, service: Service, bases: &[Basis]) -> Vec<Document> {
    let Some(period) = policy.period_on(date) else {
        return Vec::new();
    };
    let permit = [0, 1].map(|party| {
        bases
            .iter()
            .any(|b| b.party == party && b.basis == BasisKind::ResidencePermit)
    });
    super::documents::for_couple(period.documents.of(service), permit)
}

/// Judges a couple for a date and a service against `offices` (all of this instance's, or the
/// one asked about). Eligible when no legal problem stands and at least one office may register
/// them.
pub fn assess(
    policy: &Policy,
    parties: &[Party; 2],
    date: NaiveDate,
    service: Service,
    offices: &[OfficeRef],
) -> Assessment {
    let (en, zh) = service_words(service);
    let mut problems = match service {
        Service::Marriage => legal_problems(parties, date),
        Service::Divorce => divorce_problems(parties),
    };
    let mut bases: Vec<Basis> = Vec::new();
    let mut eligible_offices = Vec::new();
    if policy.period_on(date).is_none() {
        problems.push(problem(
            "outside_policy_period",
            None,
            format!("No registration rule of this service covers {date}."),
            format!("{date}不在本系统适用的婚姻登记政策期间内。"),
            "婚姻登记条例",
        ));
    } else {
        let mut office_problems: Vec<Problem> = Vec::new();
        for (idx, office) in offices.iter().enumerate() {
            match office_bases(policy, office, parties, date, service) {
                Ok(found) => {
                    eligible_offices.push(idx);
                    for b in found {
                        if !bases.contains(&b) {
                            bases.push(b);
                        }
                    }
                }
                Err(ps) => office_problems.extend(ps),
            }
        }
        if eligible_offices.is_empty() {
            // One office: its own no_jurisdiction message; several: one message for all.
            if offices.len() != 1 {
                office_problems.retain(|p| p.code != "no_jurisdiction");
                office_problems.push(problem(
                    "no_jurisdiction",
                    None,
                    format!("No office of this instance may register this couple's {en}."),
                    format!("本系统的登记机关均无权为该当事人办理{zh}登记。"),
                    "婚姻登记条例 第4条; 国函〔2021〕48号",
                ));
            }
            for p in office_problems {
                let seen = problems
                    .iter()
                    .any(|q| q.code == p.code && q.party == p.party);
                if !seen {
                    problems.push(p);
                }
            }
        }
    }
    let eligible = problems.is_empty() && !eligible_offices.is_empty();
    Assessment {
        eligible,
        documents: documents(policy, date, service, &bases),
        bases,
        offices: eligible_offices,
        problems,
    }
}

#[cfg(test)]
#[path = "eligibility_tests.rs"]
mod tests;

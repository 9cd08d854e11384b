//! Every rule of eligibility at its edges (domain brief §1-§3).

use chrono::NaiveDate;

use super::*;
use crate::id_number::check_character;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn policy() -> Policy {
    Policy::from_toml(include_str!("../../../config/policy.toml")).unwrap()
}

fn code(s: &str) -> DivisionCode {
    DivisionCode::parse(s).unwrap()
}

/// A valid ID number: `address`, `birth` (YYYYMMDD), male or female.
fn id(address: &str, birth: &str, male: bool) -> IdNumber {
    let seq = if male { "013" } else { "024" };
    let body = format!("{address}{birth}{seq}");
    let arr: [u8; 17] = body.as_bytes().try_into().unwrap();
    IdNumber::parse(&format!("{body}{}", check_character(&arr)), d("2026-11-26")).unwrap()
}

fn party(id_number: IdNumber, hukou: &str, permit: Option<(&str, &str)>) -> Party {
    Party {
        id_number,
        name: "张三".into(),
        hukou: code(hukou),
        residence_permit: permit.map(|(div, until)| ResidencePermit {
            division: code(div),
            valid_until: d(until),
        }),
    }
}

fn office(id: &str, division: &str) -> OfficeRef {
    OfficeRef {
        id: id.into(),
        name: format!("office {id}"),
        division: code(division),
    }
}

/// 苏州 姑苏区 office, the Jiangsu instance's default demo.
fn suzhou() -> Vec<OfficeRef> {
    vec![office("suzhou-gusu", "320508")]
}

/// A man with 河南 hukou and a woman with 安徽 hukou; she holds a 苏州 permit.
fn cross_province_couple(permit_until: &str) -> [Party; 2] {
    [
        party(id("410105", "19950310", true), "410105", None),
        party(
            id("340102", "19960520", false),
            "340102",
            Some(("320508", permit_until)),
        ),
    ]
}

fn codes(a: &Assessment) -> Vec<&'static str> {
    a.problems.iter().map(|p| p.code).collect()
}

#[test]
fn man_is_under_age_the_day_before_his_22nd_birthday() {
    let couple = [
        party(id("320508", "20000615", true), "320508", None),
        party(id("320508", "19980101", false), "320508", None),
    ];
    let before = assess(
        &policy(),
        &couple,
        d("2022-06-14"),
        Service::Marriage,
        &suzhou(),
    );
    assert_eq!(codes(&before), vec!["under_age"]);
    assert_eq!(before.problems[0].party, Some(0));
    assert_eq!(before.problems[0].rule, "民法典 第1047条");
    let on = assess(
        &policy(),
        &couple,
        d("2022-06-15"),
        Service::Marriage,
        &suzhou(),
    );
    assert!(on.eligible, "{:?}", on.problems);
}

#[test]
fn woman_is_under_age_the_day_before_her_20th_birthday() {
    let couple = [
        party(id("320508", "19900101", true), "320508", None),
        party(id("320508", "20020910", false), "320508", None),
    ];
    let before = assess(
        &policy(),
        &couple,
        d("2022-09-09"),
        Service::Marriage,
        &suzhou(),
    );
    assert_eq!(codes(&before), vec!["under_age"]);
    assert_eq!(before.problems[0].party, Some(1));
    assert!(
        assess(
            &policy(),
            &couple,
            d("2022-09-10"),
            Service::Marriage,
            &suzhou()
        )
        .eligible
    );
}

#[test]
fn leap_day_birthday_reaches_age_on_1_march_in_a_common_year() {
    assert_eq!(attains_age_on(d("2000-02-29"), 22), d("2022-03-01"));
    assert_eq!(attains_age_on(d("2000-02-29"), 20), d("2020-02-29"));
    let couple = [
        party(id("320508", "20000229", true), "320508", None),
        party(id("320508", "19990101", false), "320508", None),
    ];
    assert_eq!(
        codes(&assess(
            &policy(),
            &couple,
            d("2022-02-28"),
            Service::Marriage,
            &suzhou()
        )),
        vec!["under_age"]
    );
    assert!(
        assess(
            &policy(),
            &couple,
            d("2022-03-01"),
            Service::Marriage,
            &suzhou()
        )
        .eligible
    );
}

#[test]
fn same_person_twice_is_refused() {
    let p = party(id("320508", "19900101", true), "320508", None);
    let a = assess(
        &policy(),
        &[p.clone(), p],
        d("2022-01-01"),
        Service::Marriage,
        &suzhou(),
    );
    assert_eq!(codes(&a), vec!["same_person"]);
    assert_eq!(a.problems[0].rule, "民法典 第1049条");
}

#[test]
fn two_men_are_refused() {
    let couple = [
        party(id("320508", "19900101", true), "320508", None),
        party(id("320508", "19910101", true), "320508", None),
    ];
    assert_eq!(
        codes(&assess(
            &policy(),
            &couple,
            d("2022-01-01"),
            Service::Marriage,
            &suzhou()
        )),
        vec!["same_sex"]
    );
}

#[test]
fn before_the_first_period_is_outside_policy() {
    let couple = [
        party(id("320508", "19700101", true), "320508", None),
        party(id("320508", "19720101", false), "320508", None),
    ];
    let a = assess(
        &policy(),
        &couple,
        d("2003-09-30"),
        Service::Marriage,
        &suzhou(),
    );
    assert_eq!(codes(&a), vec!["outside_policy_period"]);
    assert!(a.offices.is_empty());
}

#[test]
fn nationwide_rule_needs_no_hukou_booklet() {
    let couple = [
        party(id("650102", "19900101", true), "650102", None),
        party(id("530102", "19920101", false), "530102", None),
    ];
    let a = assess(
        &policy(),
        &couple,
        d("2025-06-01"),
        Service::Marriage,
        &suzhou(),
    );
    assert!(a.eligible);
    assert!(!a.documents.iter().any(|d| d.code == "hukou_booklet"));
}

#[test]
fn only_offices_with_jurisdiction_are_listed() {
    let offices = vec![
        office("nj-xuanwu", "320102"),
        office("suzhou-gusu", "320508"),
    ];
    let a = assess(
        &policy(),
        &cross_province_couple("2030-01-01"),
        d("2022-01-10"),
        Service::Marriage,
        &offices,
    );
    assert_eq!(a.offices, vec![1]);
}

#[test]
fn several_offices_without_jurisdiction_give_one_problem() {
    let offices = vec![office("nj-xuanwu", "320102"), office("xz-gulou", "320302")];
    let couple = [
        party(id("410105", "19950310", true), "410105", None),
        party(id("340102", "19960520", false), "340102", None),
    ];
    let a = assess(
        &policy(),
        &couple,
        d("2022-01-10"),
        Service::Marriage,
        &offices,
    );
    assert_eq!(codes(&a), vec!["no_jurisdiction"]);
}

#[path = "eligibility_jurisdiction_tests.rs"]
mod jurisdiction;

#[path = "eligibility_divorce_tests.rs"]
mod divorce;

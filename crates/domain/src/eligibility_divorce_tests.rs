//! Eligibility for a divorce by agreement (domain brief §8b, §8c).

use super::*;

fn divorce(couple: &[Party; 2], date: &str) -> Assessment {
    assess(&policy(), couple, d(date), Service::Divorce, &suzhou())
}

/// Domain brief §8b: the 2021 pilot covered marriage only in 江苏, so a divorce by residence
/// permit is refused until 2023-05-31 (the hukou rule) and accepted from 2023-06-01
/// (国函〔2023〕34号).
#[test]
fn divorce_by_residence_permit_starts_2023_06_01_in_jiangsu() {
    let couple = cross_province_couple("2030-01-01");
    let before = divorce(&couple, "2023-05-31");
    assert_eq!(codes(&before), vec!["no_jurisdiction"]);
    assert!(before.problems[0].message_zh.contains("离婚登记"));
    assert_eq!(before.problems[0].rule, "国函〔2021〕48号");
    // The same couple may marry there in the pilot: the services differ on the same day.
    assert!(
        assess(
            &policy(),
            &couple,
            d("2023-05-31"),
            Service::Marriage,
            &suzhou()
        )
        .eligible
    );
    let on = divorce(&couple, "2023-06-01");
    assert!(on.eligible, "{:?}", on.problems);
    assert_eq!(on.bases[0].basis, BasisKind::ResidencePermit);
}

/// 民法典 第1076条: the spouses apply together; age and sex are conditions of a marriage, not of
/// its dissolution.
#[test]
fn divorce_asks_neither_age_nor_sex() {
    let young = [
        party(id("320508", "20050101", true), "320508", None),
        party(id("320508", "20060101", true), "320508", None),
    ];
    assert!(divorce(&young, "2024-01-01").eligible);
}

#[test]
fn divorce_of_the_same_person_twice_is_refused_under_article_1076() {
    let p = party(id("320508", "19900101", true), "320508", None);
    let a = divorce(&[p.clone(), p], "2024-01-01");
    assert_eq!(codes(&a), vec!["same_person"]);
    assert_eq!(a.problems[0].rule, "民法典 第1076条");
}

/// 婚姻登记条例 (2003) 第11条 until 2025-05-09; from 2025-05-10 (2025修订) no 户口簿, and any
/// office of the country.
#[test]
fn divorce_documents_follow_the_period_of_the_date() {
    let couple = [
        party(id("650102", "19900101", true), "650102", None),
        party(id("530102", "19920101", false), "530102", None),
    ];
    let docs = |a: &Assessment| -> Vec<(&'static str, Option<usize>)> {
        a.documents.iter().map(|d| (d.code, d.party)).collect()
    };
    assert_eq!(
        codes(&divorce(&couple, "2025-05-09")),
        vec!["no_jurisdiction"]
    );
    let local = [
        party(id("320508", "19900101", true), "320508", None),
        party(id("320508", "19920101", false), "320508", None),
    ];
    assert_eq!(
        docs(&divorce(&local, "2025-05-09")),
        vec![
            ("id_card", Some(0)),
            ("hukou_booklet", Some(0)),
            ("marriage_certificate", Some(0)),
            ("id_card", Some(1)),
            ("hukou_booklet", Some(1)),
            ("marriage_certificate", Some(1)),
            ("divorce_agreement", None),
        ]
    );
    let nationwide = divorce(&couple, "2025-05-10");
    assert!(nationwide.eligible, "{:?}", nationwide.problems);
    assert_eq!(
        docs(&nationwide),
        vec![
            ("id_card", Some(0)),
            ("marriage_certificate", Some(0)),
            ("id_card", Some(1)),
            ("marriage_certificate", Some(1)),
            ("divorce_agreement", None),
        ]
    );
}

/// A timeline whose period covers marriage only gives divorce a problem naming the service,
/// never an empty refusal.
#[test]
fn a_service_the_period_does_not_cover_is_named() {
    let text = r#"
        [[period]]
        id = "m"
        from = "2020-01-01"
        basis = "test basis"
        default = { services = ["marriage"], hukou_scope = "national" }
        documents = { marriage = ["id_card"], divorce = ["id_card"] }
    "#;
    let only_marriage = Policy::from_toml(text).unwrap();
    let couple = cross_province_couple("2030-01-01");
    let a = assess(
        &only_marriage,
        &couple,
        d("2024-01-01"),
        Service::Divorce,
        &suzhou(),
    );
    assert!(!a.eligible);
    assert_eq!(codes(&a), vec!["service_not_covered"]);
    assert_eq!(a.problems[0].rule, "test basis");
}

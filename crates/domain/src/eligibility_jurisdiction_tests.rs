//! Jurisdiction of a marriage by hukou and residence permit, at the timeline's edges (domain
//! brief §1).

use super::*;

#[test]
fn permit_is_no_basis_the_day_before_the_pilot() {
    let a = assess(
        &policy(),
        &cross_province_couple("2030-01-01"),
        d("2021-05-31"),
        Service::Marriage,
        &suzhou(),
    );
    assert!(!a.eligible);
    assert_eq!(codes(&a), vec!["no_jurisdiction"]);
    assert_eq!(a.problems[0].rule, "婚姻登记条例 (2003) 第4条");
}

#[test]
fn permit_is_a_basis_from_the_first_day_of_the_pilot() {
    let a = assess(
        &policy(),
        &cross_province_couple("2030-01-01"),
        d("2021-06-01"),
        Service::Marriage,
        &suzhou(),
    );
    assert!(a.eligible, "{:?}", a.problems);
    assert_eq!(
        a.bases,
        vec![Basis {
            party: 1,
            basis: BasisKind::ResidencePermit,
            division_code: "320508".into()
        }]
    );
    assert!(a
        .documents
        .iter()
        .any(|d| d.code == "residence_permit" && d.party == Some(1)));
    assert!(!a
        .documents
        .iter()
        .any(|d| d.code == "residence_permit" && d.party == Some(0)));
}

#[test]
fn permit_expiring_the_day_before_is_refused_the_day_of_is_accepted() {
    let expired = assess(
        &policy(),
        &cross_province_couple("2022-03-31"),
        d("2022-04-01"),
        Service::Marriage,
        &suzhou(),
    );
    assert_eq!(
        codes(&expired),
        vec!["residence_permit_expired", "no_jurisdiction"]
    );
    assert_eq!(expired.problems[0].party, Some(1));
    let valid = assess(
        &policy(),
        &cross_province_couple("2022-04-01"),
        d("2022-04-01"),
        Service::Marriage,
        &suzhou(),
    );
    assert!(valid.eligible);
}

#[test]
fn permit_from_another_city_of_the_same_province_is_out_of_scope() {
    // 南京 (3201) permit, 苏州 office: Jiangsu's permit scope is the city.
    let couple = [
        party(id("410105", "19950310", true), "410105", None),
        party(
            id("340102", "19960520", false),
            "340102",
            Some(("320102", "2030-01-01")),
        ),
    ];
    let a = assess(
        &policy(),
        &couple,
        d("2022-01-10"),
        Service::Marriage,
        &suzhou(),
    );
    assert_eq!(
        codes(&a),
        vec!["residence_permit_out_of_scope", "no_jurisdiction"]
    );
    // Same city, other district: within Jiangsu's city scope.
    let couple = [
        party(id("410105", "19950310", true), "410105", None),
        party(
            id("340102", "19960520", false),
            "340102",
            Some(("320583", "2030-01-01")),
        ),
    ];
    assert!(
        assess(
            &policy(),
            &couple,
            d("2022-01-10"),
            Service::Marriage,
            &suzhou()
        )
        .eligible
    );
}

#[test]
fn jiangsu_hukou_registers_anywhere_in_jiangsu_during_the_pilot() {
    let couple = [
        party(id("320321", "19900101", true), "320321", None),
        party(id("410105", "19920101", false), "410105", None),
    ];
    let a = assess(
        &policy(),
        &couple,
        d("2022-01-10"),
        Service::Marriage,
        &suzhou(),
    );
    assert!(a.eligible);
    assert_eq!(a.bases[0].basis, BasisKind::Hukou);
    assert_eq!(a.bases[0].party, 0);
}

#[test]
fn henan_hukou_is_county_level_until_2023_05_31_province_wide_from_06_01() {
    // 郑州 金水区 office; the man's hukou is in 开封 (4102), the woman's in 安徽.
    let zhengzhou = vec![office("zz-jinshui", "410105")];
    let couple = [
        party(id("410202", "19900101", true), "410202", None),
        party(id("340102", "19920101", false), "340102", None),
    ];
    let last = assess(
        &policy(),
        &couple,
        d("2023-05-31"),
        Service::Marriage,
        &zhengzhou,
    );
    assert_eq!(codes(&last), vec!["no_jurisdiction"]);
    assert!(
        assess(
            &policy(),
            &couple,
            d("2023-06-01"),
            Service::Marriage,
            &zhengzhou
        )
        .eligible
    );
}

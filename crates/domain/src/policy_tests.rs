//! The timeline's rules at their edges (domain brief §1, §3, §8b, §8c).

use super::*;

fn shipped() -> Policy {
    Policy::from_toml(include_str!("../../../config/policy.toml")).expect("shipped policy is valid")
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
        documents = { marriage = ["id_card"], divorce = ["id_card"] }
        [[period]]
        id = "b"
        from = "2021-01-01"
        basis = "y"
        default = { services = ["marriage"], hukou_scope = "county" }
        documents = { marriage = ["id_card"], divorce = ["id_card"] }
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
        documents = { marriage = ["id_card"], divorce = ["id_card"] }
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
        documents = { marriage = ["id_card"], divorce = ["id_card"] }
    "#;
    assert!(Policy::from_toml(bad_key).unwrap_err().contains("colour"));
}

#[test]
fn a_period_naming_an_unknown_document_is_refused() {
    let text = r#"
        [[period]]
        id = "a"
        from = "2020-01-01"
        basis = "x"
        default = { services = ["marriage"], hukou_scope = "county" }
        documents = { marriage = ["id_card", "passport"], divorce = ["id_card"] }
    "#;
    let err = Policy::from_toml(text).unwrap_err();
    assert!(err.contains("passport"), "{err}");
}

/// 婚姻登记条例 (2025修订): from 2025-05-10 neither service asks for the 户口簿; the day
/// before, both do (2003 text 第5条, 第11条).
#[test]
fn hukou_booklet_is_asked_until_2025_05_09_for_both_services() {
    let p = shipped();
    for service in [Service::Marriage, Service::Divorce] {
        let before = p.period_on(d("2025-05-09")).unwrap().documents.of(service);
        let after = p.period_on(d("2025-05-10")).unwrap().documents.of(service);
        assert!(before.iter().any(|c| c == "hukou_booklet"));
        assert!(!after.iter().any(|c| c == "hukou_booklet"));
    }
    let divorce = p
        .period_on(d("2022-01-01"))
        .unwrap()
        .documents
        .of(Service::Divorce);
    assert!(divorce.iter().any(|c| c == "marriage_certificate"));
    assert!(divorce.iter().any(|c| c == "divorce_agreement"));
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

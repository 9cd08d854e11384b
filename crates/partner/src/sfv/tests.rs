//! Tests of `sfv`.

use super::*;
use proptest::prelude::*;

#[test]
fn signature_input_round_trips() {
    let text = r#"sig1=("@method" "@target-uri" "content-digest");created=1618884473;keyid="k";nonce="n";alg="ed25519""#;
    let d = parse_dictionary(text).unwrap();
    assert_eq!(dictionary(&d), text);
    let Member::InnerList(items, ps) = &d[0].1 else {
        panic!("inner list expected")
    };
    assert_eq!(items.len(), 3);
    assert_eq!(param(ps, "created"), Some(&Bare::Integer(1618884473)));
}

#[test]
fn every_item_type_parses() {
    let d = parse_dictionary(r#"a=1, b=-2.5, c="x\"y", d=tok/en, e=:aGk=:, f=?0, g;p"#).unwrap();
    let bares: Vec<&Bare> = d
        .iter()
        .map(|(_, m)| match m {
            Member::Item(i) => &i.bare,
            Member::InnerList(..) => panic!(),
        })
        .collect();
    assert_eq!(
        bares,
        vec![
            &Bare::Integer(1),
            &Bare::Decimal("-2.5".into()),
            &Bare::String("x\"y".into()),
            &Bare::Token("tok/en".into()),
            &Bare::Bytes(b"hi".to_vec()),
            &Bare::Boolean(false),
            &Bare::Boolean(true),
        ]
    );
}

#[test]
fn malformed_values_are_refused() {
    for bad in [
        "a=",
        "A=1",
        "a=1,",
        "a=(1 2",
        "a=\"open",
        "a=:!!:",
        "a=?2",
        "a=1 b=2",
        "a=1234567890123456",
        "a=(1,2)",
        "a=\"é\"",
        "a=1.2345",
    ] {
        assert!(parse_dictionary(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn byte_sequences_without_padding_are_accepted() {
    // RFC 8941 §4.2.7: a parser MUST NOT fail when "=" padding is absent.
    let d = parse_dictionary("a=:aGVsbG8:, b=:aGk:, c=:aGVsbG8=:").unwrap();
    for (key, want) in [("a", &b"hello"[..]), ("b", b"hi"), ("c", b"hello")] {
        let (_, Member::Item(i)) = d.iter().find(|(k, _)| k == key).unwrap() else {
            panic!("{key}: an item expected")
        };
        assert_eq!(i.bare, Bare::Bytes(want.to_vec()), "{key}");
    }
    // Serialised with padding again.
    assert_eq!(dictionary(&d), "a=:aGVsbG8=:, b=:aGk=:, c=:aGVsbG8=:");
}

#[test]
fn repeated_key_keeps_the_last_value() {
    let d = parse_dictionary("a=1, b=2, a=3").unwrap();
    assert_eq!(dictionary(&d), "a=3, b=2");
}

proptest! {
    #[test]
    fn no_input_panics(s in "\\PC{0,64}") {
        let _ = parse_dictionary(&s);
    }

    #[test]
    fn serialised_values_parse_back(
        n in -999_999_999_999_999i64..=999_999_999_999_999,
        s in "[ -~]{0,20}",
        bytes in proptest::collection::vec(any::<u8>(), 0..24),
        key in "[a-z][a-z0-9_.*-]{0,8}",
    ) {
        let d: Dictionary = vec![
            (key.clone(), Member::InnerList(
                vec![Item { bare: Bare::String(s.clone()), params: vec![] }],
                vec![("n".into(), Bare::Integer(n)), ("b".into(), Bare::Bytes(bytes.clone()))],
            )),
        ];
        let text = dictionary(&d);
        prop_assert_eq!(parse_dictionary(&text).unwrap(), d);
    }
}

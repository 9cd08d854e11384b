//! Serialising (RFC 8941 §4.1): a parsed value serialises back to its canonical form.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::{Bare, Dictionary, Item, List, Member, Params};

/// Serialises a bare item.
pub fn bare(b: &Bare) -> String {
    match b {
        Bare::Integer(n) => n.to_string(),
        Bare::Decimal(d) => decimal(d),
        Bare::String(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
            out
        }
        Bare::Token(t) => t.clone(),
        Bare::Bytes(b) => format!(":{}:", STANDARD.encode(b)),
        Bare::Boolean(b) => if *b { "?1" } else { "?0" }.to_owned(),
    }
}

/// A decimal's canonical form (§4.1.5): no leading zeros but one before the point, no
/// trailing zeros but one after it.
fn decimal(d: &str) -> String {
    let (sign, digits) = d.strip_prefix('-').map_or(("", d), |r| ("-", r));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    format!(
        "{sign}{}.{}",
        if int.is_empty() { "0" } else { int },
        if frac.is_empty() { "0" } else { frac }
    )
}

/// Serialises parameters (`;key=value`, `;key` for true).
pub fn params(ps: &Params) -> String {
    let mut out = String::new();
    for (k, v) in ps {
        out.push(';');
        out.push_str(k);
        if *v != Bare::Boolean(true) {
            out.push('=');
            out.push_str(&bare(v));
        }
    }
    out
}

/// Serialises an item.
pub fn item(i: &Item) -> String {
    format!("{}{}", bare(&i.bare), params(&i.params))
}

/// Serialises a dictionary member's value.
pub fn member(m: &Member) -> String {
    match m {
        Member::Item(i) => item(i),
        Member::InnerList(items, ps) => {
            let inner: Vec<String> = items.iter().map(item).collect();
            format!("({}){}", inner.join(" "), params(ps))
        }
    }
}

/// Serialises a dictionary.
pub fn dictionary(d: &Dictionary) -> String {
    d.iter()
        .map(|(k, m)| match m {
            Member::Item(Item {
                bare: Bare::Boolean(true),
                params: ps,
            }) => format!("{k}{}", params(ps)),
            _ => format!("{k}={}", member(m)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Serialises a list.
pub fn list(l: &List) -> String {
    l.iter().map(member).collect::<Vec<_>>().join(", ")
}

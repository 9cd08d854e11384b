//! What a couple brings to the office, by period and service (domain brief §3, §8b, §8c). The
//! list of each period is policy data (`[period.documents]` in `config/policy.toml`): this module
//! holds the catalogue of documents the data may name, and turns a period's list into the
//! documents of one couple.
//!
//! - Marriage, 2003 text: 户口簿, 居民身份证 and the signed declaration of each party, and joint
//!   photos (婚姻登记条例 (2003) 第5条).
//! - Divorce, 2003 text: each party's 户口簿, 居民身份证 and 结婚证, and the divorce agreement
//!   signed by both (婚姻登记条例 (2003) 第11条; 民法典 第1076条).
//! - From 2025-05-10 the 户口簿 is no longer asked for (婚姻登记条例 (2025修订), 国务院令第804号;
//!   婚姻登记工作规范, 民发〔2025〕23号).
//! - The pilot route adds the original of the residence permit that gives the office its
//!   jurisdiction (国函〔2021〕48号; 国函〔2023〕34号), for whichever party it is.

use serde::Serialize;

/// A document to bring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub code: &'static str,
    /// The party who brings it (0 or 1); none for one the couple brings together.
    pub party: Option<usize>,
    pub description: &'static str,
}

/// The residence permit's code: never listed in the policy data, added for the party whose
/// permit is a basis of the registration.
pub const RESIDENCE_PERMIT: &str = "residence_permit";

/// One entry of the catalogue: its code, whether each party brings one, its description.
struct Kind {
    code: &'static str,
    per_party: bool,
    description: &'static str,
}

const CATALOGUE: &[Kind] = &[
    Kind {
        code: "id_card",
        per_party: true,
        description: "居民身份证（临时身份证亦可） / resident identity card (a temporary card is accepted)",
    },
    Kind {
        code: "hukou_booklet",
        per_party: true,
        description: "户口簿 / household register booklet",
    },
    Kind {
        code: "declaration",
        per_party: true,
        description: "申请结婚登记声明书（在登记员面前签署） / declaration of no spouse and no prohibited kinship, signed before the registrar",
    },
    Kind {
        code: "marriage_certificate",
        per_party: true,
        description: "本人的结婚证 / the party's own marriage certificate",
    },
    Kind {
        code: RESIDENCE_PERMIT,
        per_party: true,
        description: "居住证原件（登记地签发、在有效期内） / original residence permit issued by the registering locality, valid on the day",
    },
    Kind {
        code: "joint_photos",
        per_party: false,
        description: "3张2寸近期半身免冠合影照片 / three recent 2-inch joint photos",
    },
    Kind {
        code: "divorce_agreement",
        per_party: false,
        description: "双方共同签署的离婚协议书（载明自愿离婚及子女抚养、财产和债务处理） / the divorce agreement signed by both: the wish to divorce and the arrangements for children, property and debts",
    },
];

fn kind(code: &str) -> Option<&'static Kind> {
    CATALOGUE.iter().find(|k| k.code == code)
}

/// Checks a period's list: every code in the catalogue, none twice, and not the residence
/// permit (which the basis adds).
pub fn validate(list: &[String]) -> Result<(), String> {
    for (i, code) in list.iter().enumerate() {
        if code == RESIDENCE_PERMIT {
            return Err(format!(
                "{code:?} is added by a residence-permit basis, not listed"
            ));
        }
        if kind(code).is_none() {
            return Err(format!("unknown document {code:?}"));
        }
        if list[..i].contains(code) {
            return Err(format!("document {code:?} listed twice"));
        }
    }
    Ok(())
}

/// The documents of a couple: the period's `list` (validated), each party's own documents first
/// (party 0, then party 1, in the list's order, each party's residence permit last when
/// `permit[party]`), then those the couple brings together.
pub fn for_couple(list: &[String], permit: [bool; 2]) -> Vec<Document> {
    let kinds: Vec<&Kind> = list.iter().filter_map(|c| kind(c)).collect();
    let mut out = Vec::new();
    for (party, has_permit) in permit.into_iter().enumerate() {
        let permit_kind = has_permit.then(|| kind(RESIDENCE_PERMIT)).flatten();
        for k in kinds
            .iter()
            .copied()
            .filter(|k| k.per_party)
            .chain(permit_kind)
        {
            out.push(Document {
                code: k.code,
                party: Some(party),
                description: k.description,
            });
        }
    }
    for k in kinds.iter().filter(|k| !k.per_party) {
        out.push(Document {
            code: k.code,
            party: None,
            description: k.description,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn each_party_brings_their_own_and_the_couple_the_shared_ones() {
        let docs = for_couple(&list(&["id_card", "joint_photos"]), [false, true]);
        let got: Vec<(&str, Option<usize>)> = docs.iter().map(|d| (d.code, d.party)).collect();
        assert_eq!(
            got,
            vec![
                ("id_card", Some(0)),
                ("id_card", Some(1)),
                (RESIDENCE_PERMIT, Some(1)),
                ("joint_photos", None),
            ]
        );
    }

    #[test]
    fn a_list_naming_an_unknown_or_repeated_document_is_refused() {
        assert!(validate(&list(&["id_card", "passport"])).is_err());
        assert!(validate(&list(&["id_card", "id_card"])).is_err());
        assert!(validate(&list(&[RESIDENCE_PERMIT])).is_err());
        assert!(validate(&list(&["id_card", "marriage_certificate"])).is_ok());
    }
}

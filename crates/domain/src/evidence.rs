//! The papers that can show what the records do not yet (domain brief §8c: "where what a party
//! declares disagrees with the records … the party brings proof (a court judgment, a divorce
//! certificate, a death certificate) and the registrar records it"; 婚姻登记工作规范,
//! 民发〔2025〕23号). A register entry corrected by the 公安 household office is the fourth kind.

/// The kind of document a supervisor's override rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    /// A court's judgment, ruling or mediation of divorce (离婚判决书、裁定书、调解书).
    CourtJudgment,
    /// A divorce certificate (离婚证) issued by a registration office.
    DivorceCertificate,
    /// The spouse's death certificate (死亡证明).
    DeathCertificate,
    /// A corrected household register entry (户籍更正证明).
    RegisterCorrection,
}

/// Every kind, in the order the API documents them.
pub const ALL: [EvidenceKind; 4] = [
    EvidenceKind::CourtJudgment,
    EvidenceKind::DivorceCertificate,
    EvidenceKind::DeathCertificate,
    EvidenceKind::RegisterCorrection,
];

impl EvidenceKind {
    /// The name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::CourtJudgment => "court_judgment",
            EvidenceKind::DivorceCertificate => "divorce_certificate",
            EvidenceKind::DeathCertificate => "death_certificate",
            EvidenceKind::RegisterCorrection => "register_correction",
        }
    }

    /// Parses the API name.
    pub fn parse(s: &str) -> Option<EvidenceKind> {
        ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_and_nothing_else_parses() {
        for k in ALL {
            assert_eq!(EvidenceKind::parse(k.as_str()), Some(k));
        }
        for s in ["", "judgment", "Court_Judgment", "marriage_certificate"] {
            assert_eq!(EvidenceKind::parse(s), None, "{s}");
        }
    }
}

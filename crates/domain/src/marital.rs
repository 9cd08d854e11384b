//! Marital status (婚姻状况) and what it allows.

/// Marital statuses that allow a marriage (monogamy: 民法典 第1041条, 第1042条).
pub fn may_marry(status: &str) -> bool {
    matches!(status, "unmarried" | "divorced" | "widowed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_person_without_a_spouse_may_marry() {
        for s in ["unmarried", "divorced", "widowed"] {
            assert!(may_marry(s), "{s}");
        }
        for s in ["married", "", "unknown"] {
            assert!(!may_marry(s), "{s}");
        }
    }
}

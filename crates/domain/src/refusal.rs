//! Statutory reasons to refuse a marriage registration (婚姻登记条例 2003 第6条, 第4条, 第5条),
//! with their citations and the wording of the written notice (不予办理结婚登记通知单).

/// One ground of refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusalReason {
    /// The stable code the API takes (`reason_code`).
    pub code: &'static str,
    /// The rule it rests on.
    pub basis: &'static str,
    /// The words of the written notice.
    pub wording: &'static str,
}

/// Every ground, in the order of the regulation.
pub const REFUSAL_REASONS: [RefusalReason; 6] = [
    RefusalReason {
        code: "under_age",
        basis: "婚姻登记条例 第6条第(1)项; 民法典 第1047条",
        wording: "未到法定结婚年龄",
    },
    RefusalReason {
        code: "not_voluntary",
        basis: "婚姻登记条例 第6条第(2)项; 民法典 第1046条",
        wording: "非双方自愿",
    },
    RefusalReason {
        code: "already_married",
        basis: "婚姻登记条例 第6条第(3)项; 民法典 第1042条",
        wording: "一方或者双方已有配偶",
    },
    RefusalReason {
        code: "prohibited_kinship",
        basis: "婚姻登记条例 第6条第(4)项; 民法典 第1048条",
        wording: "属于直系血亲或者三代以内旁系血亲",
    },
    RefusalReason {
        code: "no_jurisdiction",
        basis: "婚姻登记条例 第4条; 国函〔2021〕48号",
        wording: "本登记机关无管辖权",
    },
    RefusalReason {
        code: "documents_inconsistent",
        basis: "婚姻登记条例 第5条",
        wording: "所持证件、证明材料不齐全或者相关信息不一致",
    },
];

/// The ground with this code, if it is one.
pub fn refusal_reason(code: &str) -> Option<&'static RefusalReason> {
    REFUSAL_REASONS.iter().find(|r| r.code == code)
}

/// The grounds to refuse a divorce by agreement (婚姻登记条例 2003 第12条; 2025 text 第16条):
/// the parties have not agreed on the matters, a party lacks full civil capacity, or the
/// marriage was not registered in the mainland (domain brief 8b).
pub const DIVORCE_REFUSAL_REASONS: [RefusalReason; 3] = [
    RefusalReason {
        code: "no_complete_agreement",
        basis: "婚姻登记条例 第12条第(1)项; 民法典 第1076条",
        wording: "未达成离婚协议或者离婚协议未对子女抚养、财产及债务处理等事项协商一致",
    },
    RefusalReason {
        code: "lacks_capacity",
        basis: "婚姻登记条例 第12条第(2)项",
        wording: "一方或者双方为无民事行为能力人或者限制民事行为能力人",
    },
    RefusalReason {
        code: "not_registered_in_mainland",
        basis: "婚姻登记条例 第12条第(3)项",
        wording: "其结婚登记不是在中国内地办理的",
    },
];

/// The divorce ground with this code, if it is one.
pub fn divorce_refusal_reason(code: &str) -> Option<&'static RefusalReason> {
    DIVORCE_REFUSAL_REASONS.iter().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ground_cites_a_rule_and_is_found_by_its_code() {
        for r in &REFUSAL_REASONS {
            assert_eq!(refusal_reason(r.code), Some(r));
            assert!(r.basis.contains("条"), "{}", r.code);
        }
        assert_eq!(refusal_reason("medically_unfit"), None);
    }

    #[test]
    fn divorce_grounds_are_the_three_of_article_12() {
        for r in &DIVORCE_REFUSAL_REASONS {
            assert_eq!(divorce_refusal_reason(r.code), Some(r));
            assert!(r.basis.contains("第12条"), "{}", r.code);
        }
        // A marriage ground is no divorce ground.
        assert_eq!(divorce_refusal_reason("under_age"), None);
    }
}

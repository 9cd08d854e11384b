//! The life of a divorce application (民发〔2020〕116号: 申请 -> 受理 -> 冷静期 -> 审查 ->
//! 登记(发证)), and what each day of its periods allows (民法典 第1077条):
//!
//! - withdrawal (撤回) by either party up to and including the last day of the cooling-off;
//! - issue (登记发证) from `issue_from` to `issue_until`, both included, never earlier (on the
//!   last day of the cooling-off "可受理撤回…但不可办理离婚登记", domain brief 8b);
//! - after `issue_until` the application is deemed withdrawn (视为撤回): `lapsed`.

use chrono::NaiveDate;

use crate::divorce::Periods;

/// Where a divorce application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DivorceStatus {
    /// Received (受理); in its cooling-off or its issue window.
    Received,
    /// Withdrawn by a party during the cooling-off (撤回).
    Withdrawn,
    /// Registered: the divorce certificate was issued (登记发证).
    Issued,
    /// Refused in writing with a statutory reason (条例 第12条).
    Refused,
    /// Not issued by `issue_until`: deemed withdrawn (视为撤回).
    Lapsed,
}

impl DivorceStatus {
    /// The stored and answered name.
    pub fn as_str(self) -> &'static str {
        match self {
            DivorceStatus::Received => "received",
            DivorceStatus::Withdrawn => "withdrawn",
            DivorceStatus::Issued => "issued",
            DivorceStatus::Refused => "refused",
            DivorceStatus::Lapsed => "lapsed",
        }
    }
}

/// Where a received application stands on `day`, by its periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// On or before the last day of the cooling-off: a party may withdraw; no issue yet.
    CoolingOff,
    /// Inside `[issue_from, issue_until]`: the certificate may be issued.
    IssueWindow,
    /// After `issue_until`: deemed withdrawn.
    Lapsed,
}

/// The phase of an application with `periods` on `day`.
pub fn phase(periods: &Periods, day: NaiveDate) -> Phase {
    if day <= periods.cooling_off_ends {
        Phase::CoolingOff
    } else if day <= periods.issue_until {
        Phase::IssueWindow
    } else {
        Phase::Lapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn periods() -> Periods {
        Periods {
            received_on: d("2026-03-02"),
            cooling_off_ends: d("2026-04-01"),
            issue_from: d("2026-04-02"),
            issue_until: d("2026-05-06"),
        }
    }

    #[test]
    fn the_last_day_of_the_cooling_off_still_allows_withdrawal_not_issue() {
        let p = periods();
        assert_eq!(phase(&p, p.received_on), Phase::CoolingOff);
        assert_eq!(phase(&p, p.cooling_off_ends), Phase::CoolingOff);
        assert_eq!(phase(&p, p.issue_from), Phase::IssueWindow);
    }

    #[test]
    fn the_issue_window_includes_its_last_day_and_lapses_after_it() {
        let p = periods();
        assert_eq!(phase(&p, p.issue_until), Phase::IssueWindow);
        assert_eq!(phase(&p, d("2026-05-07")), Phase::Lapsed);
    }
}

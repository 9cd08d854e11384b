//! The life of an application (婚姻登记工作规范: 预约 -> 初审/受理 -> 审查 -> 登记 / 不予登记),
//! with the transitions the procedure allows. A registration is refused, never dropped.

use std::fmt;

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// A seat is held until both parties confirm through their own contact (`contact` mode).
    PendingConfirmation,
    /// A couple holds a slot.
    Booked,
    /// The couple is at the counter (初审 done, 受理); checks and declarations follow.
    CheckedIn,
    /// Registered: a certificate was issued (登记发证).
    Registered,
    /// Refused in writing with a statutory reason (不予登记).
    Refused,
    /// Cancelled by the couple before the visit.
    Cancelled,
    /// The slot passed without a check-in.
    NoShow,
    /// A registration later revoked (撤销) on a court judgment or formal recommendation.
    Revoked,
    /// A hold not confirmed by both parties in time; its seat was released.
    Lapsed,
    /// A booking released because one of its persons confirmed another booking through their
    /// own contact (`contact` mode: the latest confirmation of a person wins).
    Superseded,
}

impl Status {
    /// Every status, for listings and tests.
    pub const ALL: [Status; 10] = [
        Status::PendingConfirmation,
        Status::Booked,
        Status::CheckedIn,
        Status::Registered,
        Status::Refused,
        Status::Cancelled,
        Status::NoShow,
        Status::Revoked,
        Status::Lapsed,
        Status::Superseded,
    ];

    /// The stored and answered name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::PendingConfirmation => "pending_confirmation",
            Status::Booked => "booked",
            Status::CheckedIn => "checked_in",
            Status::Registered => "registered",
            Status::Refused => "refused",
            Status::Cancelled => "cancelled",
            Status::NoShow => "no_show",
            Status::Revoked => "revoked",
            Status::Lapsed => "lapsed",
            Status::Superseded => "superseded",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// True when the procedure allows going from `self` to `next`. A walk-in starts at
    /// `CheckedIn`; rescheduling keeps `Booked`.
    pub fn may_become(self, next: Status) -> bool {
        use Status::*;
        matches!(
            (self, next),
            (PendingConfirmation, Booked | Lapsed | Cancelled)
                | (Booked, Booked | CheckedIn | Cancelled | NoShow | Superseded)
                | (CheckedIn, Registered | Refused)
                | (Registered, Revoked)
        )
    }

    /// True once nothing more can happen to the application but a revocation.
    pub fn is_final(self) -> bool {
        !Status::ALL
            .into_iter()
            .any(|n| n != self && self.may_become(n))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<Status> for str {
    fn eq(&self, other: &Status) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Status> for String {
    fn eq(&self, other: &Status) -> bool {
        self.as_str() == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("married"), None);
    }

    #[test]
    fn the_procedure_runs_one_way() {
        use Status::*;
        assert!(Booked.may_become(CheckedIn));
        assert!(CheckedIn.may_become(Registered));
        assert!(CheckedIn.may_become(Refused));
        assert!(Registered.may_become(Revoked));
        assert!(
            !Booked.may_become(Registered),
            "registration needs the counter"
        );
        assert!(!Refused.may_become(Registered), "a refusal is final");
        assert!(!Cancelled.may_become(Booked));
        assert!(!Revoked.may_become(Registered));
        assert!(PendingConfirmation.may_become(Booked));
        assert!(!Lapsed.may_become(Booked), "a lapsed hold is not revived");
        assert!(!PendingConfirmation.may_become(CheckedIn), "unconfirmed");
        for s in [Refused, Cancelled, NoShow, Revoked, Lapsed, Superseded] {
            assert!(s.is_final(), "{s}");
        }
        assert!(!Registered.is_final());
    }
}

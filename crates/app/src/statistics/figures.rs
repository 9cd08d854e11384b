//! The figures of one group of a report, summed over the counts of each kind of fact.

use std::collections::BTreeMap;

use serde::Serialize;

/// The figures of one group.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Figures {
    pub appointments_booked: i64,
    pub walk_ins: i64,
    pub cancelled: i64,
    pub no_shows: i64,
    /// Contact mode: holds confirmed by both parties, and holds that lapsed unconfirmed.
    pub bookings_confirmed: i64,
    pub holds_lapsed: i64,
    pub registrations: i64,
    pub registrations_local: i64,
    pub registrations_cross_city: i64,
    pub registrations_cross_province: i64,
    /// Cross-province registrations by the other party's province (2-digit GB/T 2260 prefix).
    pub cross_province_by_region: BTreeMap<String, i64>,
    pub registrations_residence_permit_basis: i64,
    /// Mean days from booking (or walk-in) to registration; null without registrations.
    pub mean_wait_days: Option<f64>,
    pub refusals: i64,
    pub refusals_by_reason: BTreeMap<String, i64>,
    pub partner_checks_made: i64,
    pub partner_checks_made_failed: i64,
    pub partner_checks_made_failure_rate: Option<f64>,
    pub partner_checks_received: i64,
    pub partner_checks_received_refused: i64,
    pub partner_checks_received_failure_rate: Option<f64>,
    /// Failed household checks a supervisor overrode, with a document (issue 14 §1).
    pub check_overrides: i64,
    /// Divorce applications received (受理), and closed: withdrawn (撤回), issued (登记发证),
    /// refused, lapsed (视为撤回); each counted on its own day (issue 18).
    pub divorces_received: i64,
    pub divorces_withdrawn: i64,
    pub divorces_issued: i64,
    pub divorces_refused: i64,
    pub divorces_lapsed: i64,
    /// Mean days from receipt to issue of the divorces issued; null without any.
    pub divorce_mean_days_to_issue: Option<f64>,
    #[serde(skip)]
    pub(super) divorce_issue_seconds: i64,
    #[serde(skip)]
    pub(super) wait_seconds: i64,
}

impl Figures {
    pub(super) fn add(&mut self, o: &Figures) {
        self.appointments_booked += o.appointments_booked;
        self.walk_ins += o.walk_ins;
        self.cancelled += o.cancelled;
        self.no_shows += o.no_shows;
        self.bookings_confirmed += o.bookings_confirmed;
        self.holds_lapsed += o.holds_lapsed;
        self.registrations += o.registrations;
        self.registrations_local += o.registrations_local;
        self.registrations_cross_city += o.registrations_cross_city;
        self.registrations_cross_province += o.registrations_cross_province;
        for (k, v) in &o.cross_province_by_region {
            *self.cross_province_by_region.entry(k.clone()).or_default() += v;
        }
        self.registrations_residence_permit_basis += o.registrations_residence_permit_basis;
        self.wait_seconds += o.wait_seconds;
        self.refusals += o.refusals;
        for (k, v) in &o.refusals_by_reason {
            *self.refusals_by_reason.entry(k.clone()).or_default() += v;
        }
        self.partner_checks_made += o.partner_checks_made;
        self.partner_checks_made_failed += o.partner_checks_made_failed;
        self.partner_checks_received += o.partner_checks_received;
        self.partner_checks_received_refused += o.partner_checks_received_refused;
        self.check_overrides += o.check_overrides;
        self.divorces_received += o.divorces_received;
        self.divorces_withdrawn += o.divorces_withdrawn;
        self.divorces_issued += o.divorces_issued;
        self.divorces_refused += o.divorces_refused;
        self.divorces_lapsed += o.divorces_lapsed;
        self.divorce_issue_seconds += o.divorce_issue_seconds;
    }

    pub(super) fn finish(&mut self) {
        let ratio = |a: i64, b: i64| (b > 0).then(|| round3(a as f64 / b as f64));
        self.mean_wait_days = ratio(self.wait_seconds, self.registrations * 86_400);
        self.divorce_mean_days_to_issue =
            ratio(self.divorce_issue_seconds, self.divorces_issued * 86_400);
        self.partner_checks_made_failure_rate =
            ratio(self.partner_checks_made_failed, self.partner_checks_made);
        self.partner_checks_received_failure_rate = ratio(
            self.partner_checks_received_refused,
            self.partner_checks_received,
        );
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

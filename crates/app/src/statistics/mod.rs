//! Pilot statistics for supervisors (their office) and auditors (the region): appointments,
//! registrations split local / cross-city / cross-province, the residence-permit basis, waits,
//! refusals by reason, and partner checks with their failure rates; as JSON, CSV or a chart.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::auth::{Role, Staff};
use crate::error::{AppError, InvalidParam};
use hunyin_store::statistics::{Count, GroupBy};
use hunyin_store::DbConn;

pub use hunyin_domain::statistics::{basis_of, classify};

mod figures;
mod rollup;

pub use figures::Figures;

use rollup::Source;
pub use rollup::{catch_up, relog_all, Mode};

/// A statistics request, validated.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
}

/// Longest range, in days.
pub const MAX_DAYS: i64 = 366;

impl Request {
    /// Parses `from`, `to` (YYYY-MM-DD, Asia/Shanghai, inclusive; default the last 30 days to
    /// today) and `group_by` (default `office`).
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        group_by: Option<&str>,
    ) -> Result<Request, AppError> {
        let mut bad = Vec::new();
        let date = |name: &str, v: Option<&str>, bad: &mut Vec<InvalidParam>| match v {
            None => None,
            Some(s) => {
                let d = crate::clock::parse_date(s);
                if d.is_none() {
                    bad.push(InvalidParam::new(name, "invalid_date", "a date YYYY-MM-DD"));
                }
                d
            }
        };
        let to_d = date("to", to, &mut bad).unwrap_or_else(crate::clock::today);
        let from_d = date("from", from, &mut bad).unwrap_or(to_d - Duration::days(29));
        let group_by = match group_by.unwrap_or("office") {
            "office" => GroupBy::Office,
            "day" => GroupBy::Day,
            "partner_region" => GroupBy::PartnerRegion,
            "basis" => GroupBy::Basis,
            _ => {
                bad.push(InvalidParam::new(
                    "group_by",
                    "invalid_group_by",
                    "office, day, partner_region or basis",
                ));
                GroupBy::Office
            }
        };
        if bad.is_empty() && from_d > to_d {
            bad.push(InvalidParam::new(
                "from",
                "invalid_range",
                "from must not be after to",
            ));
        }
        if bad.is_empty() && (to_d - from_d).num_days() >= MAX_DAYS {
            bad.push(InvalidParam::new(
                "to",
                "range_too_long",
                format!("at most {MAX_DAYS} days"),
            ));
        }
        if !bad.is_empty() {
            return Err(AppError::invalid(bad));
        }
        Ok(Request {
            from: from_d,
            to: to_d,
            group_by,
        })
    }
}

/// Whose facts a report counts: one office's (a supervisor's) or the region's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReportScope {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_prefix: Option<String>,
}

/// One group of a report: its key and figures.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub key: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A report as the API answers it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub from: String,
    pub to: String,
    pub group_by: &'static str,
    pub scope: ReportScope,
    pub groups: Vec<GroupView>,
    pub total: Figures,
}

/// The statistics: groups by key (sorted; `null` collects what the grouping cannot split) and
/// the total.
#[derive(Debug, Clone)]
pub struct Report {
    pub request: Request,
    pub scope: ReportScope,
    pub groups: Vec<(Option<String>, Figures)>,
    pub total: Figures,
}

/// Computes the statistics for `staff`: a supervisor's own office, an auditor's whole region
/// (`None`: an operator on the command line, the whole region), from the daily rollup where it
/// is clean and from the facts elsewhere.
pub fn compute(
    conn: &mut DbConn,
    staff: Option<&Staff>,
    region_prefix: &str,
    partner_names: &BTreeMap<String, String>,
    r: Request,
) -> Result<Report, AppError> {
    compute_with(conn, staff, region_prefix, partner_names, r, Mode::Rollup)
}

/// [`compute`], counting as `mode` says.
pub fn compute_with(
    conn: &mut DbConn,
    staff: Option<&Staff>,
    region_prefix: &str,
    partner_names: &BTreeMap<String, String>,
    r: Request,
    mode: Mode,
) -> Result<Report, AppError> {
    let office = match staff {
        Some(s) => {
            s.require_role(&[Role::Supervisor, Role::Auditor])?;
            (s.role == Role::Supervisor).then_some(s.office_id.as_str())
        }
        None => None,
    };
    let by = r.group_by;
    let src = Source::plan(conn, mode, by, (r.from, r.to), office, region_prefix)?;
    let mut groups: BTreeMap<Option<String>, Figures> = BTreeMap::new();
    let mut apply = |rows: Vec<Count>, f: &dyn Fn(&mut Figures, &Count)| {
        for c in rows {
            f(groups.entry(c.k.clone()).or_default(), &c);
        }
    };
    apply(
        src.counts(conn, "created")?,
        &|g, c| match c.sub.as_deref() {
            Some("walk_in") => g.walk_ins += c.n,
            _ => g.appointments_booked += c.n,
        },
    );
    apply(src.counts(conn, "ended")?, &|g, c| match c.sub.as_deref() {
        Some("cancelled") => g.cancelled += c.n,
        _ => g.no_shows += c.n,
    });
    apply(src.counts(conn, "holds")?, &|g, c| match c.sub.as_deref() {
        Some("confirmed") => g.bookings_confirmed += c.n,
        _ => g.holds_lapsed += c.n,
    });
    apply(
        src.counts(conn, "divorces")?,
        &|g, c| match c.sub.as_deref() {
            Some("received") => g.divorces_received += c.n,
            Some("withdrawn") => g.divorces_withdrawn += c.n,
            Some("issued") => {
                g.divorces_issued += c.n;
                g.divorce_issue_seconds += c.total;
            }
            Some("refused") => g.divorces_refused += c.n,
            _ => g.divorces_lapsed += c.n,
        },
    );
    apply(src.counts(conn, "refusals")?, &|g, c| {
        g.refusals += c.n;
        *g.refusals_by_reason
            .entry(c.sub.clone().unwrap_or_default())
            .or_default() += c.n;
    });
    apply(src.counts(conn, "registrations")?, &|g, c| {
        let sub = c.sub.clone().unwrap_or_default();
        let mut parts = sub.split('|');
        let (category, region, basis) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        g.registrations += c.n;
        g.wait_seconds += c.total;
        match category {
            "local" => g.registrations_local += c.n,
            "cross_city" => g.registrations_cross_city += c.n,
            _ => {
                g.registrations_cross_province += c.n;
                *g.cross_province_by_region
                    .entry(region.to_owned())
                    .or_default() += c.n;
            }
        }
        if basis == "residence_permit" {
            g.registrations_residence_permit_basis += c.n;
        }
    });
    apply(src.counts(conn, "checks_made")?, &|g, c| {
        g.partner_checks_made += c.n;
        if c.sub.as_deref() == Some("failed") {
            g.partner_checks_made_failed += c.n;
        }
    });
    apply(src.counts(conn, "overrides")?, &|g, c| {
        g.check_overrides += c.n
    });
    if office.is_none() {
        // Requests partners made of the region; the partner region key is the partner's name,
        // shown as its province prefix.
        let rows = src.counts(conn, "checks_received")?;
        // A name no longer in the directory is not shown (nor counted) as a region.
        let rows = rows
            .into_iter()
            .filter_map(|mut c| {
                if by == GroupBy::PartnerRegion {
                    c.k = Some(partner_names.get(c.k.as_deref()?)?.clone());
                }
                Some(c)
            })
            .collect();
        apply(rows, &|g, c| {
            g.partner_checks_received += c.n;
            if c.sub.as_deref() == Some("failed") {
                g.partner_checks_received_refused += c.n;
            }
        });
    }
    let mut total = Figures::default();
    let mut out = Vec::new();
    for (k, mut g) in groups {
        total.add(&g);
        g.finish();
        // Facts without a partner region are local to this region.
        let k = match (by, k) {
            (GroupBy::PartnerRegion, None) => Some("local".to_owned()),
            (_, k) => k,
        };
        out.push((k, g));
    }
    total.finish();
    Ok(Report {
        request: r,
        scope: match office {
            Some(o) => ReportScope {
                office_id: Some(o.to_owned()),
                region_prefix: None,
            },
            None => ReportScope {
                office_id: None,
                region_prefix: Some(region_prefix.to_owned()),
            },
        },
        groups: out,
        total,
    })
}

/// The name of a grouping, as the API takes it.
pub fn group_name(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Office => "office",
        GroupBy::Day => "day",
        GroupBy::PartnerRegion => "partner_region",
        GroupBy::Basis => "basis",
        GroupBy::Fine => "fine",
    }
}

impl Report {
    /// The report as the API answers it.
    pub fn view(&self) -> ReportView {
        ReportView {
            from: self.request.from.to_string(),
            to: self.request.to.to_string(),
            group_by: group_name(self.request.group_by),
            scope: self.scope.clone(),
            groups: self
                .groups
                .iter()
                .map(|(k, g)| GroupView {
                    key: k.clone(),
                    figures: g.clone(),
                })
                .collect(),
            total: self.total.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_checked() {
        let r = Request::parse(Some("2026-01-01"), Some("2026-01-31"), Some("day")).unwrap();
        assert_eq!((r.to - r.from).num_days(), 30);
        for (from, to, by, field) in [
            (Some("2026-13-01"), None, None, "from"),
            (Some("2026-02-01"), Some("2026-01-01"), None, "from"),
            (Some("2025-01-01"), Some("2026-01-02"), None, "to"),
            (None, None, Some("city"), "group_by"),
        ] {
            let e = Request::parse(from, to, by).unwrap_err();
            assert_eq!(e.invalid_params[0].name, field);
        }
    }
}

//! What the start page tells a couple before they book: the offices of this instance with their
//! opening hours, where the current rule of the timeline lets a couple register, and what to
//! bring, all as of one day (Asia/Shanghai).

use chrono::NaiveDate;
use serde::Serialize;

use hunyin_domain::documents::{self, Document};
use hunyin_domain::policy::{Scope, Service};
use hunyin_domain::DivisionCode;
use hunyin_store::{offices, slots, DbConn};

use crate::error::AppError;
use crate::offices::OfficeView;
use crate::AppContext;

/// An office and its ordinary week.
#[derive(Debug, Clone, Serialize)]
pub struct GuideOffice {
    pub office: OfficeView,
    /// ISO weekdays it opens (1 Monday … 7 Sunday).
    pub weekdays: Vec<u32>,
    /// Opening periods of a day, `HH:MM`.
    pub periods: Vec<(String, String)>,
}

/// Where a service may be registered on the day, by the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct GuideRule {
    pub period_id: String,
    pub basis: String,
    pub hukou_scope: Scope,
    pub permit_scope: Option<Scope>,
    /// The pilot region the rule comes from, if any.
    pub region_name: Option<String>,
    /// What to bring for this service on the day (per party, then together).
    pub documents: Vec<Document>,
}

/// The start page's facts.
#[derive(Debug, Clone, Serialize)]
pub struct GuideView {
    pub today: NaiveDate,
    pub offices: Vec<GuideOffice>,
    pub marriage: Option<GuideRule>,
    pub divorce: Option<GuideRule>,
}

/// The guide as of `today`. The rule is the one at this instance's first office (an instance
/// serves one region: its offices share the rule).
pub fn start(conn: &mut DbConn, ctx: &AppContext, today: NaiveDate) -> Result<GuideView, AppError> {
    let mut out = Vec::new();
    for o in offices::list(conn, None)? {
        let rule = slots::rule_for(conn, &o.id, &ctx.scheduling.default_rule)?;
        out.push(GuideOffice {
            weekdays: rule
                .weekdays
                .iter()
                .map(|d| d.number_from_monday())
                .collect(),
            periods: rule
                .periods
                .iter()
                .map(|(a, b)| (a.format("%H:%M").to_string(), b.format("%H:%M").to_string()))
                .collect(),
            office: OfficeView::from(o),
        });
    }
    let at = out
        .first()
        .and_then(|o| DivisionCode::parse(&o.office.division_code).ok());
    let rule = |service| at.and_then(|code| rule_of(ctx, code, today, service));
    Ok(GuideView {
        today,
        marriage: rule(Service::Marriage),
        divorce: rule(Service::Divorce),
        offices: out,
    })
}

fn rule_of(
    ctx: &AppContext,
    office: DivisionCode,
    day: NaiveDate,
    service: Service,
) -> Option<GuideRule> {
    let found = ctx.policy.rule_at(office, day, service)?;
    let list = found.period.documents.of(service);
    Some(GuideRule {
        period_id: found.period.id.clone(),
        basis: found.citation().to_owned(),
        hukou_scope: found.rule.hukou_scope,
        permit_scope: found.rule.permit_scope,
        region_name: found.region.map(|r| r.name.clone()),
        documents: documents::for_couple(list, [false, false]),
    })
}

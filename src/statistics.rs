//! Pilot statistics for supervisors (their office) and auditors (the region): appointments,
//! registrations split local / cross-city / cross-province, the residence-permit basis, waits,
//! refusals by reason, and partner checks with their failure rates; as JSON, CSV or a chart.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use serde_json::{json, Value};

use crate::auth::{Role, Staff};
use crate::db::statistics::{self as q, Count, GroupBy, Scope};
use crate::db::DbConn;
use crate::domain::eligibility::{Basis, BasisKind};
use crate::errors::{ApiError, InvalidParam};

/// Local (both parties' hukou in this region, one of them in the office's city), cross-city
/// (both in the region, neither in the office's city: registered on a residence permit or the
/// region's own 省内通办 rule) or cross-province (a party's hukou outside the region, whose
/// province prefix is returned).
pub fn classify(
    region_prefix: &str,
    office_division: &str,
    hukou: &[String],
) -> (&'static str, Option<String>) {
    if let Some(out) = hukou.iter().find(|h| !h.starts_with(region_prefix)) {
        return ("cross_province", Some(out.chars().take(2).collect()));
    }
    let city = |c: &str| c.chars().take(4).collect::<String>();
    if hukou.iter().any(|h| city(h) == city(office_division)) {
        ("local", None)
    } else {
        ("cross_city", None)
    }
}

/// `hukou` when any party's hukou gives the office jurisdiction, else `residence_permit`.
pub fn basis_of(bases: &[Basis]) -> &'static str {
    if bases.iter().any(|b| b.basis == BasisKind::Hukou) || bases.is_empty() {
        "hukou"
    } else {
        "residence_permit"
    }
}

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
    ) -> Result<Request, ApiError> {
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
            return Err(ApiError::invalid(bad));
        }
        Ok(Request {
            from: from_d,
            to: to_d,
            group_by,
        })
    }
}

/// The figures of one group.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Figures {
    pub appointments_booked: i64,
    pub walk_ins: i64,
    pub cancelled: i64,
    pub no_shows: i64,
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
    #[serde(skip)]
    wait_seconds: i64,
}

impl Figures {
    fn add(&mut self, o: &Figures) {
        self.appointments_booked += o.appointments_booked;
        self.walk_ins += o.walk_ins;
        self.cancelled += o.cancelled;
        self.no_shows += o.no_shows;
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
    }

    fn finish(&mut self) {
        let ratio = |a: i64, b: i64| (b > 0).then(|| round3(a as f64 / b as f64));
        self.mean_wait_days = ratio(self.wait_seconds, self.registrations * 86_400);
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

/// The statistics: groups by key (sorted; `null` collects what the grouping cannot split) and
/// the total.
#[derive(Debug, Clone)]
pub struct Report {
    pub request: Request,
    pub scope: Value,
    pub groups: Vec<(Option<String>, Figures)>,
    pub total: Figures,
}

/// Computes the statistics for `staff`: a supervisor's own office, an auditor's whole region
/// (`None`: an operator on the command line, the whole region).
pub fn compute(
    conn: &mut DbConn,
    staff: Option<&Staff>,
    region_prefix: &str,
    partner_names: &BTreeMap<String, String>,
    r: Request,
) -> Result<Report, ApiError> {
    let office = match staff {
        Some(s) => {
            s.require_role(&[Role::Supervisor, Role::Auditor])?;
            (s.role == Role::Supervisor).then_some(s.office_id.as_str())
        }
        None => None,
    };
    let (from, to) = crate::db::slots::day_range_utc(r.from, r.to);
    let scope = Scope {
        from,
        to,
        office,
        region_prefix,
    };
    let by = r.group_by;
    let mut groups: BTreeMap<Option<String>, Figures> = BTreeMap::new();
    let mut apply = |rows: Vec<Count>, f: &dyn Fn(&mut Figures, &Count)| {
        for c in rows {
            f(groups.entry(c.k.clone()).or_default(), &c);
        }
    };
    apply(
        q::created(conn, by, &scope)?,
        &|g, c| match c.sub.as_deref() {
            Some("walk_in") => g.walk_ins += c.n,
            _ => g.appointments_booked += c.n,
        },
    );
    apply(
        q::ended(conn, by, &scope)?,
        &|g, c| match c.sub.as_deref() {
            Some("cancelled") => g.cancelled += c.n,
            _ => g.no_shows += c.n,
        },
    );
    apply(q::refusals(conn, by, &scope)?, &|g, c| {
        g.refusals += c.n;
        *g.refusals_by_reason
            .entry(c.sub.clone().unwrap_or_default())
            .or_default() += c.n;
    });
    apply(q::registrations(conn, by, &scope)?, &|g, c| {
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
    apply(q::checks_made(conn, by, &scope)?, &|g, c| {
        g.partner_checks_made += c.n;
        if c.sub.as_deref() == Some("failed") {
            g.partner_checks_made_failed += c.n;
        }
    });
    if office.is_none() {
        // Requests partners made of the region; the partner region key is the partner's name,
        // shown as its province prefix.
        let rows = q::checks_received(conn, by, &scope)?;
        let rows = rows
            .into_iter()
            .map(|mut c| {
                if by == GroupBy::PartnerRegion {
                    c.k = Some(match &c.k {
                        Some(name) => partner_names
                            .get(name)
                            .cloned()
                            .unwrap_or_else(|| name.clone()),
                        None => "unknown".into(),
                    });
                }
                c
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
            Some(o) => json!({ "office_id": o }),
            None => json!({ "region_prefix": region_prefix }),
        },
        groups: out,
        total,
    })
}

fn group_name(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Office => "office",
        GroupBy::Day => "day",
        GroupBy::PartnerRegion => "partner_region",
        GroupBy::Basis => "basis",
    }
}

/// A column of the table: its header and how a group's cell is written.
type Column = (String, Box<dyn Fn(&Figures) -> String>);

impl Report {
    pub fn to_json(&self) -> Value {
        json!({
            "from": self.request.from.to_string(),
            "to": self.request.to.to_string(),
            "group_by": group_name(self.request.group_by),
            "scope": self.scope,
            "groups": self.groups.iter().map(|(k, g)| {
                let mut v = json!(g);
                v["key"] = json!(k);
                v
            }).collect::<Vec<_>>(),
            "total": self.total,
        })
    }

    /// The columns of the CSV and the table: (header, value of a group).
    fn columns(&self) -> Vec<Column> {
        let n = |f: fn(&Figures) -> i64| -> Box<dyn Fn(&Figures) -> String> {
            Box::new(move |g| f(g).to_string())
        };
        let opt = |f: fn(&Figures) -> Option<f64>| -> Box<dyn Fn(&Figures) -> String> {
            Box::new(move |g| f(g).map(|x| x.to_string()).unwrap_or_default())
        };
        let mut cols: Vec<Column> = vec![
            ("预约 booked".into(), n(|g| g.appointments_booked)),
            ("现场 walk_ins".into(), n(|g| g.walk_ins)),
            ("取消 cancelled".into(), n(|g| g.cancelled)),
            ("未到 no_shows".into(), n(|g| g.no_shows)),
            ("登记 registrations".into(), n(|g| g.registrations)),
            ("本地 local".into(), n(|g| g.registrations_local)),
            (
                "省内跨市 cross_city".into(),
                n(|g| g.registrations_cross_city),
            ),
            (
                "跨省 cross_province".into(),
                n(|g| g.registrations_cross_province),
            ),
            (
                "居住证 residence_permit_basis".into(),
                n(|g| g.registrations_residence_permit_basis),
            ),
            (
                "平均等待天数 mean_wait_days".into(),
                opt(|g| g.mean_wait_days),
            ),
            ("不予登记 refusals".into(), n(|g| g.refusals)),
            (
                "发出核查 partner_checks_made".into(),
                n(|g| g.partner_checks_made),
            ),
            (
                "发出核查失败 partner_checks_made_failed".into(),
                n(|g| g.partner_checks_made_failed),
            ),
            (
                "收到核查 partner_checks_received".into(),
                n(|g| g.partner_checks_received),
            ),
            (
                "收到核查拒绝 partner_checks_received_refused".into(),
                n(|g| g.partner_checks_received_refused),
            ),
        ];
        for reason in self.total.refusals_by_reason.keys() {
            let r = reason.clone();
            cols.push((
                format!("不予登记 refusal:{reason}"),
                Box::new(move |g: &Figures| {
                    g.refusals_by_reason
                        .get(&r)
                        .copied()
                        .unwrap_or(0)
                        .to_string()
                }),
            ));
        }
        for region in self.total.cross_province_by_region.keys() {
            let r = region.clone();
            cols.push((
                format!("跨省 cross_province:{region}"),
                Box::new(move |g: &Figures| {
                    g.cross_province_by_region
                        .get(&r)
                        .copied()
                        .unwrap_or(0)
                        .to_string()
                }),
            ));
        }
        cols
    }

    /// Header and rows (groups, then the total), as text cells.
    pub fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let cols = self.columns();
        let mut header = vec![format!("分组 {}", group_name(self.request.group_by))];
        header.extend(cols.iter().map(|(h, _)| h.clone()));
        let row = |key: String, g: &Figures| {
            let mut r = vec![key];
            r.extend(cols.iter().map(|(_, f)| f(g)));
            r
        };
        let mut rows: Vec<Vec<String>> = self
            .groups
            .iter()
            .map(|(k, g)| row(k.clone().unwrap_or_else(|| "-".into()), g))
            .collect();
        rows.push(row("合计 total".into(), &self.total));
        (header, rows)
    }

    /// UTF-8 CSV with a byte-order mark (Excel then reads the Chinese headers correctly).
    pub fn to_csv(&self) -> Result<Vec<u8>, ApiError> {
        let (header, rows) = self.table();
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record(&header).map_err(ApiError::internal)?;
        for r in rows {
            w.write_record(&r).map_err(ApiError::internal)?;
        }
        w.into_inner().map_err(ApiError::internal)
    }
}

/// Registrations per day of the range, local / cross-city / cross-province, as stacked bars.
pub fn chart_svg(r: Request, report: &Report) -> Result<String, ApiError> {
    use plotters::prelude::*;
    let mut days: Vec<(NaiveDate, [i64; 3])> = Vec::new();
    let mut d = r.from;
    while d <= r.to {
        let key = d.to_string();
        let g = report
            .groups
            .iter()
            .find(|(k, _)| k.as_deref() == Some(key.as_str()))
            .map(|(_, g)| {
                [
                    g.registrations_local,
                    g.registrations_cross_city,
                    g.registrations_cross_province,
                ]
            })
            .unwrap_or([0; 3]);
        days.push((d, g));
        d += Duration::days(1);
    }
    let max = days
        .iter()
        .map(|(_, v)| v.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let series: [(&str, RGBColor); 3] = [
        ("local 本地", RGBColor(46, 125, 50)),
        ("cross-city 省内跨市", RGBColor(249, 168, 37)),
        ("cross-province 跨省", RGBColor(198, 40, 40)),
    ];
    let mut svg = String::new();
    {
        let err = |e: &dyn std::fmt::Display| ApiError::internal(format!("chart: {e}"));
        let root = SVGBackend::with_string(&mut svg, (960, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let n = days.len() as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Registrations per day 每日结婚登记 {} – {}", r.from, r.to),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..n, 0f64..(max as f64 * 1.1))
            .map_err(|e| err(&e))?;
        let labels = days.clone();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(days.len().min(12))
            .x_label_formatter(&|x| {
                labels
                    .get(x.floor() as usize)
                    .map(|(d, _)| d.format("%m-%d").to_string())
                    .unwrap_or_default()
            })
            .y_desc("registrations 登记数")
            .draw()
            .map_err(|e| err(&e))?;
        for (i, (name, color)) in series.iter().enumerate() {
            let bars = days.iter().enumerate().map(|(x, (_, v))| {
                let below: i64 = v[..i].iter().sum();
                let x = x as f64;
                Rectangle::new(
                    [(x + 0.1, below as f64), (x + 0.9, (below + v[i]) as f64)],
                    color.filled(),
                )
            });
            let color = *color;
            chart
                .draw_series(bars)
                .map_err(|e| err(&e))?
                .label(*name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_are_classified_by_the_parties_hukou() {
        let c = |a: &str, b: &str| classify("32", "320508", &[a.to_owned(), b.to_owned()]);
        assert_eq!(c("320508", "320102"), ("local", None));
        assert_eq!(c("320102", "320505"), ("local", None), "same city 苏州");
        assert_eq!(c("320102", "320302"), ("cross_city", None));
        assert_eq!(c("320508", "410105"), ("cross_province", Some("41".into())));
        assert_eq!(c("610113", "320508"), ("cross_province", Some("61".into())));
    }

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

//! The statistics as a table, a CSV download (for spreadsheets) and an SVG chart.

use chrono::{Duration, NaiveDate};

use hunyin_app::statistics::{group_name, Figures, Report, Request};
use hunyin_app::AppError;

/// A column of the table: its header and how a group's cell is written.
type Column = (String, Box<dyn Fn(&Figures) -> String>);

/// The columns of the CSV and the table: (header, value of a group).
fn columns(report: &Report) -> Vec<Column> {
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
        ("双方确认 confirmed".into(), n(|g| g.bookings_confirmed)),
        ("未确认释放 lapsed".into(), n(|g| g.holds_lapsed)),
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
        ("核查更正 check_overrides".into(), n(|g| g.check_overrides)),
        (
            "离婚受理 divorces_received".into(),
            n(|g| g.divorces_received),
        ),
        (
            "离婚撤回 divorces_withdrawn".into(),
            n(|g| g.divorces_withdrawn),
        ),
        ("离婚登记 divorces_issued".into(), n(|g| g.divorces_issued)),
        (
            "离婚不予登记 divorces_refused".into(),
            n(|g| g.divorces_refused),
        ),
        ("视为撤回 divorces_lapsed".into(), n(|g| g.divorces_lapsed)),
        (
            "受理至登记平均天数 divorce_mean_days_to_issue".into(),
            opt(|g| g.divorce_mean_days_to_issue),
        ),
    ];
    for reason in report.total.refusals_by_reason.keys() {
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
    for region in report.total.cross_province_by_region.keys() {
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
pub fn table(report: &Report) -> (Vec<String>, Vec<Vec<String>>) {
    let cols = columns(report);
    let mut header = vec![format!("分组 {}", group_name(report.request.group_by))];
    header.extend(cols.iter().map(|(h, _)| h.clone()));
    let row = |key: String, g: &Figures| {
        let mut r = vec![key];
        r.extend(cols.iter().map(|(_, f)| f(g)));
        r
    };
    let mut rows: Vec<Vec<String>> = report
        .groups
        .iter()
        .map(|(k, g)| row(k.clone().unwrap_or_else(|| "无 none".into()), g))
        .collect();
    rows.push(row("合计 total".into(), &report.total));
    (header, rows)
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab or CR first) is
/// written after a `'`, which makes it text (OWASP's CSV injection advice).
fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// UTF-8 CSV with a byte-order mark (Excel then reads the Chinese headers correctly).
pub fn csv(report: &Report) -> Result<Vec<u8>, AppError> {
    let (header, rows) = table(report);
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header.iter().map(|h| cell(h).into_owned()))
        .map_err(AppError::internal)?;
    for r in rows {
        w.write_record(r.iter().map(|c| cell(c).into_owned()))
            .map_err(AppError::internal)?;
    }
    w.into_inner().map_err(AppError::internal)
}

/// Registrations per day of the range, local / cross-city / cross-province, as stacked bars.
pub fn chart_svg(r: Request, report: &Report) -> Result<String, AppError> {
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
        let err = |e: &dyn std::fmt::Display| AppError::internal(format!("chart: {e}"));
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
    use hunyin_app::statistics::{Figures, Report, ReportScope, Request};

    #[test]
    fn no_csv_cell_is_read_as_a_formula() {
        let (day, by) = (Some("2025-06-01"), Some("partner_region"));
        let keys = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "sz-gusu"];
        let report = Report {
            request: Request::parse(day, day, by).unwrap(),
            scope: ReportScope {
                office_id: None,
                region_prefix: None,
            },
            groups: keys
                .iter()
                .map(|k| (Some(k.to_string()), Figures::default()))
                .collect(),
            total: Figures::default(),
        };
        let bytes = super::csv(&report).unwrap();
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let firsts: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
        let want: Vec<String> = keys[..6].iter().map(|k| format!("'{k}")).collect();
        assert_eq!(firsts[..6], want[..]);
        assert_eq!(firsts[6], "sz-gusu");
    }
}

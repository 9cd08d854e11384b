//! `hunyin statistics`: the pilot statistics on the command line, as a table or CSV.

use hunyin_store::Manager;

use crate::configuration::Settings;

pub(super) fn statistics(
    settings: Settings,
    from: Option<String>,
    to: Option<String>,
    group_by: String,
    csv: bool,
    rebuild: bool,
) -> anyhow::Result<()> {
    let r = hunyin_app::statistics::Request::parse(from.as_deref(), to.as_deref(), Some(&group_by))
        .map_err(|e| {
            let why: Vec<String> = e
                .invalid_params
                .iter()
                .map(|p| format!("--{}: {}", p.name.replace('_', "-"), p.reason))
                .collect();
            anyhow::anyhow!(why.join("; "))
        })?;
    let names = crate::wiring::directory(&settings.partner, &settings.instance)
        .map_err(anyhow::Error::msg)?
        .regions();
    let mut conn = Manager::new(&crate::wiring::db_config(&settings)).open()?;
    if rebuild {
        hunyin_app::statistics::relog_all(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    // The days that are over and not yet rolled up (the sweep of a running service builds them
    // too): built first, so that the report adds up days instead of scanning facts.
    hunyin_app::statistics::catch_up(
        &mut conn,
        &settings.instance.region_prefix,
        hunyin_app::clock::today(),
        i64::from(u16::MAX),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let report = hunyin_app::statistics::compute(
        &mut conn,
        None,
        &settings.instance.region_prefix,
        &names,
        r,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if csv {
        use std::io::Write;
        std::io::stdout().write_all(
            &hunyin_http::statistics_render::csv(&report).map_err(|e| anyhow::anyhow!("{e}"))?,
        )?;
        return Ok(());
    }
    let (header, rows) = hunyin_http::statistics_render::table(&report);
    println!(
        "pilot statistics 试点统计 {} – {} (region {})",
        r.from, r.to, settings.instance.region_prefix
    );
    // One line per figure, one column per group (groups fit a terminal's width better than
    // figures do); Chinese characters take two columns.
    let cols = |s: &str| {
        s.chars()
            .map(|c| if c > '\u{2e80}' { 2 } else { 1 })
            .sum::<usize>()
    };
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(cols(s))));
    let left = header.iter().map(|h| cols(h)).max().unwrap_or(10);
    let right = rows
        .iter()
        .flat_map(|r| r.iter().map(|c| cols(c)))
        .max()
        .unwrap_or(8)
        .max(8);
    for (i, h) in header.iter().enumerate() {
        let mut line = pad(h, left);
        for row in &rows {
            line.push(' ');
            line.push_str(&" ".repeat(right.saturating_sub(cols(&row[i]))));
            line.push_str(&row[i]);
        }
        println!("{}", line.trim_end());
    }
    Ok(())
}

//! `household import FILE.csv`: loads this region's household register from the public-security
//! export. Every row is validated; bad rows go to an error report (row, reason) and the rest are
//! written in batches, each in one transaction. Re-importing the same file changes nothing.
//! An export is as old as its date (`--as-of`): a marital status that a registration, a
//! revocation or a partner notification set on or after that date is newer than the export and
//! is kept (issue 14 §1: nobody the records show married is made marriageable by an older file);
//! such rows are counted as `kept` and listed in the error report with the reason.

use std::collections::HashSet;
use std::io::{Read, Write};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use hunyin_domain::id_number::Sex;
use hunyin_domain::{DivisionCode, IdNumber};
use hunyin_store::household::{self, Record};
use hunyin_store::{self as db, DbConn};

/// One CSV row as written by the export (header names are these field names).
#[derive(Debug, Deserialize)]
struct Row {
    id_number: String,
    name: String,
    sex: String,
    birth_date: String,
    hukou_division_code: String,
    marital_status: String,
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub rows: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// Rows whose marital status was left as a later registration or notification set it.
    pub kept: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} rows: {} inserted, {} updated, {} unchanged, {} rejected, {} kept",
            self.rows, self.inserted, self.updated, self.unchanged, self.rejected, self.kept
        )
    }
}

/// Reads and checks one CSV record of the export.
fn check_record(
    result: csv::Result<csv::StringRecord>,
    headers: &csv::StringRecord,
    region_prefix: &str,
    today: NaiveDate,
) -> Result<Record, String> {
    result
        .map_err(|e| format!("unreadable: {e}"))
        .and_then(|r| {
            r.deserialize::<Row>(Some(headers))
                .map_err(|e| format!("unreadable: {e}"))
        })
        .and_then(|row| validate(&row, region_prefix, today))
}

/// Checks one row: a valid ID number whose birth date and sex agree with the row, a name, a
/// listed division code inside this region, a known marital status.
fn validate(row: &Row, region_prefix: &str, today: NaiveDate) -> Result<Record, String> {
    let id = IdNumber::parse(&row.id_number, today).map_err(|e| format!("id_number: {e}"))?;
    let name = row.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err("name: 1-64 characters".into());
    }
    let sex = match row.sex.trim() {
        "male" | "男" => Sex::Male,
        "female" | "女" => Sex::Female,
        other => return Err(format!("sex: {other:?} is not male/female (男/女)")),
    };
    if sex != id.sex() {
        return Err("sex: disagrees with the ID number".into());
    }
    let birth = NaiveDate::parse_from_str(row.birth_date.trim(), "%Y-%m-%d")
        .map_err(|_| "birth_date: not YYYY-MM-DD".to_owned())?;
    if birth != id.birth_date() {
        return Err("birth_date: disagrees with the ID number".into());
    }
    let code = DivisionCode::parse(&row.hukou_division_code)
        .map_err(|e| format!("hukou_division_code: {e}"))?;
    if !code.has_prefix(region_prefix) {
        return Err(format!(
            "hukou_division_code: {code} is outside this region ({region_prefix})"
        ));
    }
    let status = row.marital_status.trim();
    let status = match status {
        "unmarried" | "未婚" => "unmarried",
        "married" | "已婚" | "初婚" | "再婚" | "复婚" => "married",
        "divorced" | "离婚" => "divorced",
        "widowed" | "丧偶" => "widowed",
        other => return Err(format!("marital_status: {other:?} is not a marital status")),
    };
    Ok(Record {
        id_number: id.as_str().to_owned(),
        name: name.to_owned(),
        sex: match sex {
            Sex::Male => "male",
            Sex::Female => "female",
        }
        .to_owned(),
        birth_date: birth,
        hukou_division_code: code.to_string(),
        marital_status: status.to_owned(),
        updated_at: crate::clock::now(),
    })
}

/// Writes one batch of (line, row): new rows inserted, changed rows updated, identical rows
/// left alone; a marital status set since `since` (the export's date) is kept. Answers the
/// kept rows' (line, reason).
fn write_batch(
    conn: &mut DbConn,
    batch: &[(u64, Record)],
    since: NaiveDateTime,
    summary: &mut Summary,
) -> Result<Vec<(u64, String)>, db::DbError> {
    db::write_tx(conn, |c| -> Result<Vec<(u64, String)>, db::DbError> {
        let ids: Vec<&str> = batch.iter().map(|(_, r)| r.id_number.as_str()).collect();
        let existing = household::existing(c, &ids)?;
        let provenance = household::marital_provenance(c, &ids)?;
        let mut new = Vec::new();
        let mut kept = Vec::new();
        for (line, r) in batch {
            let Some(e) = existing.iter().find(|e| e.id_number == r.id_number) else {
                new.push(r.clone());
                continue;
            };
            let later = provenance
                .iter()
                .find(|(id, _, at)| *id == r.id_number && *at >= since);
            match later {
                Some((_, by, at)) if e.marital_status != r.marital_status => {
                    let row = Record {
                        marital_status: e.marital_status.clone(),
                        ..r.clone()
                    };
                    if !e.same_as(&row) {
                        household::update_details(c, &row)?;
                    }
                    summary.kept += 1;
                    kept.push((
                        *line,
                        format!(
                            "marital_status: kept {} (set by {by} at {}, after the export's date); the export says {}",
                            e.marital_status,
                            hunyin_domain::time::rfc3339_utc(*at),
                            r.marital_status
                        ),
                    ));
                }
                _ if e.same_as(r) => summary.unchanged += 1,
                _ => {
                    household::update(c, r)?;
                    summary.updated += 1;
                }
            }
        }
        summary.inserted += household::insert_many(c, &new)?;
        Ok(kept)
    })
}

/// Why an import stopped (bad rows do not stop it: they go to the error report).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the export: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write the error report: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Db(#[from] db::DbError),
}

/// Imports `input`, an export of the register as of `as_of`; bad and kept rows are written to
/// `errors` as CSV `row,reason` (row = line number).
pub fn import(
    conn: &mut DbConn,
    input: impl Read,
    region_prefix: &str,
    as_of: NaiveDate,
    errors: &mut impl Write,
    batch_size: usize,
) -> Result<Summary, ImportError> {
    let today = crate::clock::today();
    // The export's day begins at midnight in Shanghai: whatever was set from then on may be
    // missing from it.
    let since = hunyin_domain::time::day_range_utc(as_of, as_of).0;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut report = csv::Writer::from_writer(errors);
    report.write_record(["row", "reason"])?;
    let mut summary = Summary::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut batch = Vec::with_capacity(batch_size);
    let headers = reader.headers()?.clone();
    for (i, result) in reader.records().enumerate() {
        // The line the row starts on (the header is line 1).
        let line = result
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i as u64 + 2, |p| p.line());
        summary.rows += 1;
        let record = check_record(result, &headers, region_prefix, today).and_then(|r| {
            if seen.insert(r.id_number.clone()) {
                Ok(r)
            } else {
                Err("id_number: appears earlier in this file".into())
            }
        });
        match record {
            Ok(r) => batch.push((line, r)),
            Err(reason) => {
                summary.rejected += 1;
                report.write_record([line.to_string(), reason])?;
            }
        }
        if batch.len() >= batch_size {
            for (line, reason) in write_batch(conn, &batch, since, &mut summary)? {
                report.write_record([line.to_string(), reason])?;
            }
            batch.clear();
        }
    }
    for (line, reason) in write_batch(conn, &batch, since, &mut summary)? {
        report.write_record([line.to_string(), reason])?;
    }
    report.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = "id_number,name,sex,birth_date,hukou_division_code,marital_status\n";

    fn rows(csv_text: &str) -> Vec<Result<Record, String>> {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(csv_text.as_bytes());
        let headers = reader.headers().cloned().unwrap_or_default();
        reader
            .records()
            .map(|r| check_record(r, &headers, "32", today))
            .collect()
    }

    #[test]
    fn a_good_row_is_read_and_bad_ones_say_why() {
        let body = *b"32050819900215017";
        let good = format!(
            "{}{}",
            "32050819900215017",
            hunyin_domain::id_number::check_character(&body)
        );
        let got = rows(&format!(
            "{HEADER}{good},王强,男,1990-02-15,320508,unmarried\n\
             {good},王强,female,1990-02-15,320508,unmarried\n\
             {good},王强,male,1990-02-15,410105,unmarried\n\
             only,three,cells\n"
        ));
        assert!(got[0].is_ok(), "{:?}", got[0]);
        assert!(
            got[1].as_ref().unwrap_err().starts_with("sex"),
            "{:?}",
            got[1]
        );
        assert!(got[2].is_err());
        assert!(got[3].as_ref().unwrap_err().starts_with("unreadable"));
    }

    proptest! {
        /// Whatever the export holds (quotes, short rows, any text in any cell), reading it never
        /// panics, and every accepted row lies in the region with a known marital status.
        #[test]
        fn arbitrary_rows_never_panic(cells in proptest::collection::vec("\\PC{0,24}|[0-9X]{18}|3205[0-9]{2}", 0..14)) {
            let text = format!("{HEADER}{}\n", cells.join(","));
            for r in rows(&text).into_iter().flatten() {
                prop_assert!(r.hukou_division_code.starts_with("32"));
                prop_assert!(matches!(r.marital_status.as_str(), "unmarried" | "married" | "divorced" | "widowed"));
            }
        }
    }
}

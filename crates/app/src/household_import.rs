//! `household import FILE.csv`: loads this region's household register from the public-security
//! export. Every row is validated; bad rows go to an error report (row, reason) and the rest are
//! written in batches, each in one transaction. Re-importing the same file changes nothing.

use std::collections::HashSet;
use std::io::{Read, Write};

use chrono::NaiveDate;
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
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} rows: {} inserted, {} updated, {} unchanged, {} rejected",
            self.rows, self.inserted, self.updated, self.unchanged, self.rejected
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

/// Writes one batch: new rows inserted, changed rows updated, identical rows left alone.
fn write_batch(
    conn: &mut DbConn,
    batch: &[Record],
    summary: &mut Summary,
) -> Result<(), db::DbError> {
    db::write_tx(conn, |c| -> Result<(), db::DbError> {
        let ids: Vec<&str> = batch.iter().map(|r| r.id_number.as_str()).collect();
        let existing = household::existing(c, &ids)?;
        let mut new = Vec::new();
        for r in batch {
            match existing.iter().find(|e| e.id_number == r.id_number) {
                Some(e) if e.same_as(r) => summary.unchanged += 1,
                Some(_) => {
                    household::update(c, r)?;
                    summary.updated += 1;
                }
                None => new.push(r.clone()),
            }
        }
        summary.inserted += household::insert_many(c, &new)?;
        Ok(())
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

/// Imports `input`; bad rows are written to `errors` as CSV `row,reason` (row = line number).
pub fn import(
    conn: &mut DbConn,
    input: impl Read,
    region_prefix: &str,
    errors: &mut impl Write,
    batch_size: usize,
) -> Result<Summary, ImportError> {
    let today = crate::clock::today();
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
            Ok(r) => batch.push(r),
            Err(reason) => {
                summary.rejected += 1;
                report.write_record([line.to_string(), reason])?;
            }
        }
        if batch.len() >= batch_size {
            write_batch(conn, &batch, &mut summary)?;
            batch.clear();
        }
    }
    write_batch(conn, &batch, &mut summary)?;
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

//! The household register and the checks run against it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConn;
use crate::schema::{household_checks, household_records, marital_changes};

/// One resident of this region.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = household_records)]
pub struct Record {
    pub id_number: String,
    pub name: String,
    pub sex: String,
    pub birth_date: NaiveDate,
    pub hukou_division_code: String,
    pub marital_status: String,
    pub updated_at: NaiveDateTime,
}

impl Record {
    /// Same person data, ignoring when it was written.
    pub fn same_as(&self, other: &Record) -> bool {
        self.name == other.name
            && self.sex == other.sex
            && self.birth_date == other.birth_date
            && self.hukou_division_code == other.hukou_division_code
            && self.marital_status == other.marital_status
    }
}

/// The records among `ids`.
pub fn existing(conn: &mut DbConn, ids: &[&str]) -> QueryResult<Vec<Record>> {
    household_records::table
        .filter(household_records::id_number.eq_any(ids))
        .select(Record::as_select())
        .load(conn)
}

/// One resident.
pub fn find(conn: &mut DbConn, id_number: &str) -> QueryResult<Option<Record>> {
    household_records::table
        .find(id_number)
        .select(Record::as_select())
        .first(conn)
        .optional()
}

/// Inserts new records in one statement per engine (multi-row insert is not portable through
/// the connection enum, so each engine gets its own call).
pub fn insert_many(conn: &mut DbConn, rows: &[Record]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConn::Pg(c) => diesel::insert_into(household_records::table)
            .values(rows)
            .execute(c),
        DbConn::Sqlite(c) => diesel::insert_into(household_records::table)
            .values(rows)
            .execute(c),
    }
}

/// Replaces a record's data, its marital status's source left as it is.
pub fn update_details(conn: &mut DbConn, row: &Record) -> QueryResult<()> {
    diesel::update(household_records::table.find(&row.id_number))
        .set(row)
        .execute(conn)
        .map(|_| ())
}

/// Replaces a record's data with an import's: the marital status is the export's again.
pub fn update(conn: &mut DbConn, row: &Record) -> QueryResult<()> {
    diesel::update(household_records::table.find(&row.id_number))
        .set((
            row,
            household_records::marital_set_by.eq(None::<String>),
            household_records::marital_set_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Marks a resident married by the registration of `appointment_id`, remembering the status
/// the register held before; false if the person is not in the register.
pub fn marry(
    conn: &mut DbConn,
    appointment_id: i64,
    id_number: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let Some(r) = find(conn, id_number)? else {
        return Ok(false);
    };
    diesel::insert_into(marital_changes::table)
        .values((
            marital_changes::appointment_id.eq(appointment_id),
            marital_changes::id_number.eq(id_number),
            marital_changes::previous_status.eq(&r.marital_status),
        ))
        .execute(conn)?;
    set_marital_status(conn, id_number, "married", SetBy::Registration, now)?;
    Ok(true)
}

/// Undoes [`marry`] for every resident of a revoked registration who is still married in the
/// register: a void or annulled marriage has no effect from the start (民法典 第1054条).
/// Returns how many got their previous status back.
pub fn unmarry(conn: &mut DbConn, appointment_id: i64, at: NaiveDateTime) -> QueryResult<usize> {
    let changes: Vec<(String, String)> = marital_changes::table
        .filter(marital_changes::appointment_id.eq(appointment_id))
        .filter(marital_changes::restored_at.is_null())
        .select((marital_changes::id_number, marital_changes::previous_status))
        .load(conn)?;
    let mut restored = 0;
    for (id, previous) in changes {
        if find(conn, &id)?.is_some_and(|r| r.marital_status == "married") {
            set_marital_status(conn, &id, &previous, SetBy::Revocation, at)?;
            restored += 1;
        }
        diesel::update(marital_changes::table.find((appointment_id, &id)))
            .set(marital_changes::restored_at.eq(Some(at)))
            .execute(conn)?;
    }
    Ok(restored)
}

/// What set a resident's marital status outside an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetBy {
    Registration,
    Revocation,
    PartnerNotification,
    /// A divorce registered here.
    Divorce,
}

impl SetBy {
    pub fn as_str(self) -> &'static str {
        match self {
            SetBy::Registration => "registration",
            SetBy::Revocation => "revocation",
            SetBy::PartnerNotification => "partner_notification",
            SetBy::Divorce => "divorce",
        }
    }
}

/// Sets a resident's marital status, remembering what set it and when (an older export of the
/// register must not undo it).
pub fn set_marital_status(
    conn: &mut DbConn,
    id_number: &str,
    status: &str,
    by: SetBy,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(household_records::table.find(id_number))
        .set((
            household_records::marital_status.eq(status),
            household_records::updated_at.eq(now),
            household_records::marital_set_by.eq(Some(by.as_str())),
            household_records::marital_set_at.eq(Some(now)),
        ))
        .execute(conn)
}

/// What last set the marital status of each of `ids` outside an import, and when: (ID number,
/// source, time), only for the records that have one.
pub fn marital_provenance(
    conn: &mut DbConn,
    ids: &[&str],
) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    let rows: Vec<(String, Option<String>, Option<NaiveDateTime>)> = household_records::table
        .filter(household_records::id_number.eq_any(ids))
        .filter(household_records::marital_set_by.is_not_null())
        .select((
            household_records::id_number,
            household_records::marital_set_by,
            household_records::marital_set_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, by, at)| Some((id, by?, at?)))
        .collect())
}

/// A household check as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = household_checks)]
pub struct Check {
    #[diesel(skip_insertion)]
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub appointment_id: i64,
    #[serde(rename = "party")]
    pub party_idx: i32,
    pub source: String,
    pub outcome: String,
    pub found: Option<bool>,
    pub name_matches: Option<bool>,
    pub marital_status: Option<String>,
    pub hukou_division_code: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub checked_by: i64,
    #[serde(serialize_with = "utc")]
    pub checked_at: NaiveDateTime,
    /// A supervisor override's document (judgment, certificate …) by its number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_reference: Option<String>,
    /// Its kind (`hunyin_domain::evidence::EvidenceKind`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_kind: Option<String>,
}

fn utc<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hunyin_domain::time::rfc3339_utc(*t))
}

/// Stores a check.
pub fn record_check(conn: &mut DbConn, check: &Check) -> QueryResult<()> {
    diesel::insert_into(household_checks::table)
        .values(check)
        .execute(conn)
        .map(|_| ())
}

/// Every check of an application, oldest first.
pub fn checks(conn: &mut DbConn, appointment_id: i64) -> QueryResult<Vec<Check>> {
    household_checks::table
        .filter(household_checks::appointment_id.eq(appointment_id))
        .order(household_checks::id)
        .select(Check::as_select())
        .load(conn)
}

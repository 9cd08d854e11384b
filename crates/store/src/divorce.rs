//! Divorce applications (协议离婚) and their parties: inserted once at receipt, moved on only by
//! conditional updates (`status = 'received'` still), never deleted.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::DbConn;
use crate::schema::{divorce_applications, divorce_certificates, divorce_parties};

/// A stored divorce application.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = divorce_applications)]
pub struct Application {
    pub id: i64,
    pub reference: String,
    pub office_id: String,
    pub status: String,
    pub marriage_certificate: String,
    pub marriage_source: String,
    pub marriage_appointment_id: Option<i64>,
    pub marriage_note: Option<String>,
    pub agreement_children: String,
    pub agreement_property: String,
    pub agreement_debts: String,
    pub received_on: NaiveDate,
    pub cooling_off_ends: NaiveDate,
    pub issue_from: NaiveDate,
    pub issue_until: NaiveDate,
    pub received_by: i64,
    pub received_at: NaiveDateTime,
    pub closed_by: Option<i64>,
    pub closed_at: Option<NaiveDateTime>,
    pub withdrawn_by_party: Option<i32>,
    pub certificate_number: Option<String>,
    pub refusal_reason: Option<String>,
    pub refusal_note: Option<String>,
    /// The application visit it was received from.
    pub appointment_id: Option<i64>,
    pub reminded_open_at: Option<NaiveDateTime>,
    pub reminded_close_at: Option<NaiveDateTime>,
}

/// An application to store at receipt.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = divorce_applications)]
pub struct NewApplication<'a> {
    pub reference: &'a str,
    pub office_id: &'a str,
    pub status: &'a str,
    pub marriage_certificate: &'a str,
    pub marriage_source: &'a str,
    pub marriage_appointment_id: Option<i64>,
    pub marriage_note: Option<&'a str>,
    pub agreement_children: &'a str,
    pub agreement_property: &'a str,
    pub agreement_debts: &'a str,
    pub received_on: NaiveDate,
    pub cooling_off_ends: NaiveDate,
    pub issue_from: NaiveDate,
    pub issue_until: NaiveDate,
    pub received_by: i64,
    pub received_at: NaiveDateTime,
    pub appointment_id: Option<i64>,
}

/// A party of a divorce application.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = divorce_parties)]
pub struct Party {
    pub application_id: i64,
    pub idx: i32,
    pub id_number: String,
    pub name: String,
    pub hukou_division_code: String,
    pub check_source: String,
    pub check_note: Option<String>,
    /// The party's contact: the confirmed contact of the application visit, or given at the
    /// counter.
    pub email: Option<String>,
}

/// Why an application could not be inserted.
#[derive(Debug, PartialEq, Eq)]
pub enum Insert {
    Inserted(i64),
    /// The reference is taken: draw another.
    ReferenceTaken,
    /// The marriage already has an application received or issued (the partial unique index).
    MarriageTaken,
}

/// Inserts an application; a unique violation says which guard held (inside a savepoint, so
/// that the caller's PostgreSQL transaction survives it).
pub fn insert(conn: &mut DbConn, new: &NewApplication<'_>) -> QueryResult<Insert> {
    let reference_taken = find_by_reference(conn, new.reference)?.is_some();
    if reference_taken {
        return Ok(Insert::ReferenceTaken);
    }
    let done = conn.transaction(|c| {
        diesel::insert_into(divorce_applications::table)
            .values(new)
            .returning(divorce_applications::id)
            .get_result::<i64>(c)
    });
    match done {
        Ok(id) => Ok(Insert::Inserted(id)),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Ok(Insert::MarriageTaken)
        }
        Err(e) => Err(e),
    }
}

/// Stores the parties.
pub fn insert_parties(conn: &mut DbConn, parties: &[Party]) -> QueryResult<()> {
    for p in parties {
        diesel::insert_into(divorce_parties::table)
            .values(p)
            .execute(conn)?;
    }
    Ok(())
}

/// The application with this reference.
pub fn find_by_reference(conn: &mut DbConn, reference: &str) -> QueryResult<Option<Application>> {
    divorce_applications::table
        .filter(divorce_applications::reference.eq(reference))
        .select(Application::as_select())
        .first(conn)
        .optional()
}

/// The application received or issued for this marriage certificate, if any.
pub fn open_for_marriage(conn: &mut DbConn, certificate: &str) -> QueryResult<Option<Application>> {
    divorce_applications::table
        .filter(divorce_applications::marriage_certificate.eq(certificate))
        .filter(divorce_applications::status.eq_any(["received", "issued"]))
        .select(Application::as_select())
        .first(conn)
        .optional()
}

/// Its two parties, in order.
pub fn parties(conn: &mut DbConn, application_id: i64) -> QueryResult<Vec<Party>> {
    divorce_parties::table
        .filter(divorce_parties::application_id.eq(application_id))
        .order(divorce_parties::idx)
        .select(Party::as_select())
        .load(conn)
}

/// How a received application is closed.
pub enum Close<'a> {
    Withdrawn { party: i32 },
    Issued { certificate_number: &'a str },
    Refused { reason: &'a str, note: &'a str },
}

/// Closes a still-received application; false if it had moved on (a concurrent request).
pub fn close(
    conn: &mut DbConn,
    id: i64,
    how: Close<'_>,
    by: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let target = divorce_applications::table
        .filter(divorce_applications::id.eq(id))
        .filter(divorce_applications::status.eq("received"));
    let common = (
        divorce_applications::closed_by.eq(Some(by)),
        divorce_applications::closed_at.eq(Some(at)),
    );
    let n = match how {
        Close::Withdrawn { party } => diesel::update(target)
            .set((
                divorce_applications::status.eq("withdrawn"),
                divorce_applications::withdrawn_by_party.eq(Some(party)),
                common,
            ))
            .execute(conn)?,
        Close::Issued { certificate_number } => diesel::update(target)
            .set((
                divorce_applications::status.eq("issued"),
                divorce_applications::certificate_number.eq(Some(certificate_number)),
                common,
            ))
            .execute(conn)?,
        Close::Refused { reason, note } => diesel::update(target)
            .set((
                divorce_applications::status.eq("refused"),
                divorce_applications::refusal_reason.eq(Some(reason)),
                divorce_applications::refusal_note.eq(Some(note)),
                common,
            ))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// Marks `lapsed` every received application whose `issue_until` is before `today`; answers
/// the ids and offices of those it marked (for their audit events, in the same transaction).
pub fn lapse_due(
    conn: &mut DbConn,
    today: NaiveDate,
    at: NaiveDateTime,
) -> QueryResult<Vec<(i64, String)>> {
    let due: Vec<(i64, String)> = divorce_applications::table
        .filter(divorce_applications::status.eq("received"))
        .filter(divorce_applications::issue_until.lt(today))
        .select((divorce_applications::id, divorce_applications::office_id))
        .order(divorce_applications::id)
        .limit(500)
        .load(conn)?;
    let mut lapsed = Vec::with_capacity(due.len());
    for (id, office) in due {
        let n = diesel::update(
            divorce_applications::table
                .filter(divorce_applications::id.eq(id))
                .filter(divorce_applications::status.eq("received")),
        )
        .set((
            divorce_applications::status.eq("lapsed"),
            divorce_applications::closed_at.eq(Some(at)),
        ))
        .execute(conn)?;
        if n == 1 {
            lapsed.push((id, office));
        }
    }
    Ok(lapsed)
}

/// A divorce certificate as stored: the `L` of the divorce or a reissue (`BL`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = divorce_certificates)]
pub struct DivorceCertificate {
    pub number: String,
    pub kind: String,
    pub application_id: i64,
    pub office_id: String,
    pub year: i32,
    pub serial: i32,
    pub status: String,
    pub issued_by: i64,
    pub issued_at: NaiveDateTime,
    pub supersedes: Option<String>,
    pub requested_by_party: Option<i32>,
    pub note: Option<String>,
}

/// Stores a divorce certificate.
pub fn insert_certificate(conn: &mut DbConn, c: &DivorceCertificate) -> QueryResult<()> {
    diesel::insert_into(divorce_certificates::table)
        .values(c)
        .execute(conn)
        .map(|_| ())
}

/// One divorce certificate by number.
pub fn certificate(conn: &mut DbConn, number: &str) -> QueryResult<Option<DivorceCertificate>> {
    divorce_certificates::table
        .find(number)
        .select(DivorceCertificate::as_select())
        .first(conn)
        .optional()
}

/// Marks a still-valid divorce certificate superseded; false if it no longer was valid.
pub fn supersede(conn: &mut DbConn, number: &str) -> QueryResult<bool> {
    let n = diesel::update(
        divorce_certificates::table
            .filter(divorce_certificates::number.eq(number))
            .filter(divorce_certificates::status.eq("valid")),
    )
    .set(divorce_certificates::status.eq("superseded"))
    .execute(conn)?;
    Ok(n == 1)
}

/// The application with this id.
pub fn by_id(conn: &mut DbConn, id: i64) -> QueryResult<Application> {
    divorce_applications::table
        .find(id)
        .select(Application::as_select())
        .first(conn)
}

/// The divorce certificate that replaced `number`, if any.
pub fn superseded_by(conn: &mut DbConn, number: &str) -> QueryResult<Option<String>> {
    divorce_certificates::table
        .filter(divorce_certificates::supersedes.eq(number))
        .select(divorce_certificates::number)
        .first(conn)
        .optional()
}

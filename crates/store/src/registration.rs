//! Declarations, certificate counters and certificates, refusals, idempotency keys.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::DbConn;
use crate::schema::{certificate_counters, certificates, declarations, idempotency_keys, refusals};

/// A declaration as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = declarations)]
pub struct Declaration {
    #[serde(skip)]
    pub appointment_id: i64,
    #[serde(rename = "party")]
    pub party_idx: i32,
    pub no_spouse: bool,
    pub no_prohibited_kinship: bool,
    pub voluntary: bool,
    pub witnessed_by: i64,
    #[serde(skip)]
    pub declared_at: NaiveDateTime,
}

/// Stores a declaration; `Ok(false)` when that party already declared.
pub fn declare(conn: &mut DbConn, d: &Declaration) -> QueryResult<bool> {
    let done = conn.transaction(|c| {
        diesel::insert_into(declarations::table)
            .values(d)
            .execute(c)
    });
    match done {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The declarations of an application.
pub fn declarations_of(conn: &mut DbConn, appointment_id: i64) -> QueryResult<Vec<Declaration>> {
    declarations::table
        .filter(declarations::appointment_id.eq(appointment_id))
        .order(declarations::party_idx)
        .select(Declaration::as_select())
        .load(conn)
}

/// The next serial of an office, year and kind. The counter is incremented first and read back
/// in the same statement, inside the caller's transaction: concurrent callers queue on the row,
/// and a rollback returns the number, so serials stay unique and gapless.
pub fn next_serial(conn: &mut DbConn, office_id: &str, year: i32, kind: &str) -> QueryResult<i32> {
    let bump = |c: &mut DbConn| {
        diesel::update(
            certificate_counters::table
                .filter(certificate_counters::office_id.eq(office_id))
                .filter(certificate_counters::year.eq(year))
                .filter(certificate_counters::kind.eq(kind)),
        )
        .set(certificate_counters::last_serial.eq(certificate_counters::last_serial + 1))
        .returning(certificate_counters::last_serial)
        .get_result::<i32>(c)
        .optional()
    };
    if let Some(n) = bump(conn)? {
        return Ok(n);
    }
    // First number of the year: create the counter at 1. Another transaction may create it at
    // the same moment; then its row exists and the increment works.
    let created = conn.transaction(|c| {
        diesel::insert_into(certificate_counters::table)
            .values((
                certificate_counters::office_id.eq(office_id),
                certificate_counters::year.eq(year),
                certificate_counters::kind.eq(kind),
                certificate_counters::last_serial.eq(1),
            ))
            .execute(c)
    });
    match created {
        Ok(_) => Ok(1),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            bump(conn)?.ok_or(Error::NotFound)
        }
        Err(e) => Err(e),
    }
}

/// A certificate as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = certificates)]
pub struct Certificate {
    pub number: String,
    pub kind: String,
    pub appointment_id: i64,
    pub office_id: String,
    pub year: i32,
    pub serial: i32,
    pub status: String,
    pub issued_by: i64,
    pub issued_at: NaiveDateTime,
    pub supersedes: Option<String>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revocation_basis: Option<String>,
    pub revocation_document: Option<String>,
}

/// Stores a certificate.
pub fn issue(conn: &mut DbConn, c: &Certificate) -> QueryResult<()> {
    diesel::insert_into(certificates::table)
        .values(c)
        .execute(conn)
        .map(|_| ())
}

/// The certificates of an application.
pub fn certificates_of(conn: &mut DbConn, appointment_id: i64) -> QueryResult<Vec<Certificate>> {
    certificates::table
        .filter(certificates::appointment_id.eq(appointment_id))
        .order(certificates::issued_at)
        .select(Certificate::as_select())
        .load(conn)
}

/// Stores a refusal.
pub fn refuse(
    conn: &mut DbConn,
    appointment_id: i64,
    reason_code: &str,
    note: &str,
    staff_id: i64,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(refusals::table)
        .values((
            refusals::appointment_id.eq(appointment_id),
            refusals::reason_code.eq(reason_code),
            refusals::note.eq(note),
            refusals::refused_by.eq(staff_id),
            refusals::refused_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The refusal of an application: reason code, note, staff id, time.
pub fn refusal_of(
    conn: &mut DbConn,
    appointment_id: i64,
) -> QueryResult<Option<(String, String, i64, NaiveDateTime)>> {
    refusals::table
        .find(appointment_id)
        .select((
            refusals::reason_code,
            refusals::note,
            refusals::refused_by,
            refusals::refused_at,
        ))
        .first(conn)
        .optional()
}

/// A stored response for (staff, key): the request it answered, status and body.
pub fn idempotent_response(
    conn: &mut DbConn,
    staff_id: i64,
    key: &str,
) -> QueryResult<Option<(String, i32, String)>> {
    idempotency_keys::table
        .find((staff_id, key))
        .select((
            idempotency_keys::request,
            idempotency_keys::status,
            idempotency_keys::response,
        ))
        .first(conn)
        .optional()
}

/// Remembers the response to (staff, key).
pub fn remember_response(
    conn: &mut DbConn,
    staff_id: i64,
    key: &str,
    request: &str,
    status: i32,
    response: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::staff_id.eq(staff_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::request.eq(request),
            idempotency_keys::status.eq(status),
            idempotency_keys::response.eq(response),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// One certificate by number.
pub fn certificate(conn: &mut DbConn, number: &str) -> QueryResult<Option<Certificate>> {
    certificates::table
        .find(number)
        .select(Certificate::as_select())
        .first(conn)
        .optional()
}

/// The certificate that replaced `number`, if any.
pub fn superseded_by(conn: &mut DbConn, number: &str) -> QueryResult<Option<String>> {
    certificates::table
        .filter(certificates::supersedes.eq(number))
        .select(certificates::number)
        .first(conn)
        .optional()
}

/// Moves a certificate from `from` to `to` status only if it is still `from`.
pub fn certificate_transition(
    conn: &mut DbConn,
    number: &str,
    from: &str,
    to: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        certificates::table
            .filter(certificates::number.eq(number))
            .filter(certificates::status.eq(from)),
    )
    .set(certificates::status.eq(to))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records the revocation's basis and document on a certificate.
pub fn record_revocation(
    conn: &mut DbConn,
    number: &str,
    basis: &str,
    document: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(certificates::table.find(number))
        .set((
            certificates::revoked_at.eq(at),
            certificates::revocation_basis.eq(basis),
            certificates::revocation_document.eq(document),
        ))
        .execute(conn)
        .map(|_| ())
}

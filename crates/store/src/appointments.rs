//! Appointments and their parties.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::DbConn;
use crate::schema::{appointment_parties, appointments};
use hunyin_domain::Status;

/// A stored appointment.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = appointments)]
pub struct Appointment {
    pub id: i64,
    pub reference: String,
    pub manage_token_hash: String,
    pub office_id: String,
    pub slot_id: Option<String>,
    pub status: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub sequence: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `marriage`, `divorce` (a divorce's application visit) or `divorce_issue`.
    pub service: String,
    /// The divorce application of an issue visit.
    pub divorce_application_id: Option<i64>,
}

/// An appointment to store. `None` binds NULL (not DEFAULT): the insert stays one prepared
/// statement, reused (a DEFAULT makes diesel prepare it again every time).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appointments, treat_none_as_default_value = false)]
pub struct NewAppointment<'a> {
    pub reference: &'a str,
    pub manage_token_hash: &'a str,
    pub office_id: &'a str,
    pub slot_id: Option<&'a str>,
    pub status: &'a str,
    pub contact_email: &'a str,
    pub contact_phone: Option<&'a str>,
    pub sequence: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `marriage`, `divorce` (a divorce's application visit) or `divorce_issue`.
    pub service: &'a str,
    /// The divorce application of an issue visit.
    pub divorce_application_id: Option<i64>,
}

/// A party of an appointment.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = appointment_parties, treat_none_as_default_value = false)]
pub struct PartyRow {
    pub appointment_id: i64,
    pub idx: i32,
    pub id_number: String,
    pub name: String,
    pub hukou_division_code: String,
    pub permit_division_code: Option<String>,
    pub permit_valid_until: Option<NaiveDate>,
    pub active: bool,
}

/// Inserts the appointment; `Ok(None)` when the reference is taken (the caller draws another).
/// One statement: the taken reference is a conflict that inserts nothing, not an error, so no
/// savepoint is needed.
pub fn insert(conn: &mut DbConn, new: &NewAppointment<'_>) -> QueryResult<Option<i64>> {
    let q = diesel::insert_into(appointments::table)
        .values(new)
        .on_conflict(appointments::reference)
        .do_nothing()
        .returning(appointments::id);
    match conn {
        DbConn::Pg(c) => q.get_result::<i64>(c).optional(),
        DbConn::Sqlite(c) => q.get_result::<i64>(c).optional(),
    }
}

/// Inserts both parties as active in one statement; `Ok(false)` when a person already holds an
/// active appointment (the partial unique index said so). The caller's transaction must then
/// roll back (on PostgreSQL the failed statement has aborted it).
pub fn insert_parties(conn: &mut DbConn, parties: &[PartyRow; 2]) -> QueryResult<bool> {
    let q = diesel::insert_into(appointment_parties::table).values(parties);
    let inserted = match conn {
        DbConn::Pg(c) => q.execute(c),
        DbConn::Sqlite(c) => q.execute(c),
    };
    match inserted {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The appointment with this id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Appointment>> {
    appointments::table
        .find(id)
        .select(Appointment::as_select())
        .first(conn)
        .optional()
}

/// The appointment with this reference.
pub fn find_by_reference(conn: &mut DbConn, reference: &str) -> QueryResult<Option<Appointment>> {
    appointments::table
        .filter(appointments::reference.eq(reference))
        .select(Appointment::as_select())
        .first(conn)
        .optional()
}

/// Its two parties, in order.
pub fn parties(conn: &mut DbConn, appointment_id: i64) -> QueryResult<Vec<PartyRow>> {
    appointment_parties::table
        .filter(appointment_parties::appointment_id.eq(appointment_id))
        .order(appointment_parties::idx)
        .select(PartyRow::as_select())
        .load(conn)
}

/// Sets the status; `active = false` frees both persons to book again.
/// `now` is the time of the change (UTC).
pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: Status,
    active: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(appointments::table.find(id))
        .set((
            appointments::status.eq(status.as_str()),
            appointments::sequence.eq(appointments::sequence + 1),
            appointments::updated_at.eq(now),
        ))
        .execute(conn)?;
    if !active {
        diesel::update(
            appointment_parties::table.filter(appointment_parties::appointment_id.eq(id)),
        )
        .set(appointment_parties::active.eq(false))
        .execute(conn)?;
    }
    Ok(())
}

/// Locks the appointment's row until the transaction ends, so that changes of one appointment
/// (cancel, reschedule, confirmation, lapse) queue instead of each acting on what it read
/// before the other committed; read the appointment again after it. (A no-op on SQLite, whose
/// write transactions already run one at a time.)
pub fn lock_row(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(appointments::table.find(id))
        .set(appointments::sequence.eq(appointments::sequence))
        .execute(conn)
        .map(|_| ())
}

/// Moves the appointment to another slot (and office), raising its sequence.
pub fn move_to(
    conn: &mut DbConn,
    id: i64,
    office_id: &str,
    slot_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(appointments::table.find(id))
        .set((
            appointments::office_id.eq(office_id),
            appointments::slot_id.eq(slot_id),
            appointments::sequence.eq(appointments::sequence + 1),
            appointments::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Moves the status from `from` to `to` only if it is still `from`; false when another request
/// got there first (the row lock makes concurrent callers queue, then see the new status).
pub fn transition(
    conn: &mut DbConn,
    id: i64,
    from: Status,
    to: Status,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    debug_assert!(
        from.may_become(to),
        "{from} -> {to} is not a step of the procedure"
    );
    let n = diesel::update(
        appointments::table
            .filter(appointments::id.eq(id))
            .filter(appointments::status.eq(from.as_str())),
    )
    .set((
        appointments::status.eq(to.as_str()),
        appointments::sequence.eq(appointments::sequence + 1),
        appointments::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Frees both persons of an application (it reached an outcome).
pub fn deactivate_parties(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(appointment_parties::table.filter(appointment_parties::appointment_id.eq(id)))
        .set(appointment_parties::active.eq(false))
        .execute(conn)
        .map(|_| ())
}

/// Appointments still `booked` whose slot ended before `now` (UTC): id and office.
pub fn booked_ended_before(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, String)>> {
    use crate::schema::slots;
    appointments::table
        .inner_join(slots::table.on(appointments::slot_id.eq(slots::id.nullable())))
        .filter(appointments::status.eq(Status::Booked.as_str()))
        .filter(slots::ends_at.lt(now))
        .select((appointments::id, appointments::office_id))
        .load(conn)
}

/// An application of a day's queue with its slot's start and end (none for a walk-in).
pub type DayItem = (Appointment, Option<NaiveDateTime>, Option<NaiveDateTime>);

/// An office's applications of one day (UTC bounds `[from, to)`): those whose slot starts then
/// and walk-ins taken then, cancelled ones and unconfirmed, lapsed or superseded holds left out,
/// in slot order; with the slot's times.
pub fn of_day(
    conn: &mut DbConn,
    office_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<DayItem>> {
    use crate::schema::{appointments as a, slots as s};
    a::table
        .left_join(s::table)
        .filter(a::office_id.eq(office_id))
        .filter(a::status.ne_all([
            Status::Cancelled.as_str(),
            // Holds not (or never to be) confirmed by both parties are no applications yet.
            Status::PendingConfirmation.as_str(),
            Status::Lapsed.as_str(),
            Status::Superseded.as_str(),
        ]))
        .filter(
            s::starts_at.ge(from).and(s::starts_at.lt(to)).or(a::slot_id
                .is_null()
                .and(a::created_at.ge(from))
                .and(a::created_at.lt(to))),
        )
        .order((s::starts_at.asc(), a::created_at.asc()))
        .select((
            Appointment::as_select(),
            s::starts_at.nullable(),
            s::ends_at.nullable(),
        ))
        .load(conn)
}

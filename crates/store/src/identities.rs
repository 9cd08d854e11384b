//! `identity.mode = "oidc"`: how each party of a booking proved who they are by signing in (the
//! provider's issuer and subject, and when), and a signed-in person's appointments ("我的预约").

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use crate::appointments::Appointment;
use crate::schema::{appointment_identities, appointment_parties, appointments};

/// One party's sign-in: the first party's when they booked, the second's when they confirmed.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = appointment_identities)]
pub struct IdentityRow {
    pub appointment_id: i64,
    pub idx: i32,
    pub issuer: String,
    pub subject: String,
    pub confirmed_at: NaiveDateTime,
}

/// Records a party's sign-in; false when that party already signed in for this appointment
/// (a concurrent confirmation of the same party won).
pub fn insert(conn: &mut DbConn, row: &IdentityRow) -> QueryResult<bool> {
    let q = diesel::insert_into(appointment_identities::table)
        .values(row)
        .on_conflict((
            appointment_identities::appointment_id,
            appointment_identities::idx,
        ))
        .do_nothing();
    let n = match conn {
        DbConn::Pg(c) => q.execute(c)?,
        DbConn::Sqlite(c) => q.execute(c)?,
    };
    Ok(n == 1)
}

/// The parties' sign-ins of an appointment, in party order (none for one booked in contact
/// mode or at the counter).
pub fn of_appointment(conn: &mut DbConn, appointment_id: i64) -> QueryResult<Vec<IdentityRow>> {
    appointment_identities::table
        .filter(appointment_identities::appointment_id.eq(appointment_id))
        .order(appointment_identities::idx)
        .select(IdentityRow::as_select())
        .load(conn)
}

/// Appointments still under way: listed before the closed ones, so that no number of closed
/// ones can push an open appointment off the list.
const OPEN: [&str; 3] = ["pending_confirmation", "booked", "checked_in"];

/// The appointments naming the person with this ID number as a party, at most `limit`: the open
/// ones first, newest first within each, each with the party that person is. A closed
/// appointment naming the person as second party is left out unless they signed in to confirm
/// it (someone else booked it in their name and it never became theirs).
pub fn appointments_of(
    conn: &mut DbConn,
    id_number: &str,
    limit: i64,
) -> QueryResult<Vec<(Appointment, i32)>> {
    let mut open: Vec<(Appointment, i32)> = appointment_parties::table
        .inner_join(appointments::table)
        .filter(appointment_parties::id_number.eq(id_number))
        .filter(appointments::slot_id.is_not_null())
        .filter(appointments::status.eq_any(OPEN))
        .order((appointments::created_at.desc(), appointments::id.desc()))
        .limit(limit)
        .select((Appointment::as_select(), appointment_parties::idx))
        .load(conn)?;
    let room = limit - open.len() as i64;
    if room <= 0 {
        return Ok(open);
    }
    let confirmed_by_them = diesel::dsl::exists(
        appointment_identities::table
            .filter(appointment_identities::appointment_id.eq(appointments::id))
            .filter(appointment_identities::idx.eq(appointment_parties::idx)),
    );
    let closed: Vec<(Appointment, i32)> = appointment_parties::table
        .inner_join(appointments::table)
        .filter(appointment_parties::id_number.eq(id_number))
        .filter(appointments::slot_id.is_not_null())
        .filter(appointments::status.ne_all(OPEN))
        .filter(appointment_parties::idx.eq(0).or(confirmed_by_them))
        .order((appointments::created_at.desc(), appointments::id.desc()))
        .limit(room)
        .select((Appointment::as_select(), appointment_parties::idx))
        .load(conn)?;
    open.extend(closed);
    Ok(open)
}

/// Sets a party's name to the one the identity provider gave (real-name) when they confirm.
pub fn set_party_name(
    conn: &mut DbConn,
    appointment_id: i64,
    idx: i32,
    name: &str,
) -> QueryResult<()> {
    diesel::update(
        appointment_parties::table
            .filter(appointment_parties::appointment_id.eq(appointment_id))
            .filter(appointment_parties::idx.eq(idx)),
    )
    .set(appointment_parties::name.eq(name))
    .execute(conn)
    .map(|_| ())
}

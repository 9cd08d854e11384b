//! Office queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::DbConn;
use crate::schema::offices;

/// A stored registration office.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = offices)]
pub struct Office {
    pub id: String,
    pub name: String,
    pub division_code: String,
    pub address: String,
    pub phone: String,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
}

/// An office to create (from the seed file or the CLI).
#[derive(Debug, Clone, Insertable, Deserialize)]
#[diesel(table_name = offices)]
#[serde(deny_unknown_fields)]
pub struct NewOffice {
    pub id: String,
    pub name: String,
    pub division_code: String,
    pub address: String,
    pub phone: String,
    /// Set by whoever inserts the office.
    #[serde(skip)]
    pub created_at: NaiveDateTime,
}

/// Every office, by id; with `prefix`, only those whose division code starts with it.
pub fn list(conn: &mut DbConn, prefix: Option<&str>) -> QueryResult<Vec<Office>> {
    let mut query = offices::table
        .select(Office::as_select())
        .order(offices::id)
        .into_boxed();
    if let Some(p) = prefix {
        query = query.filter(offices::division_code.like(format!("{p}%")));
    }
    query.load(conn)
}

/// One office, or `None`.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Office>> {
    offices::table
        .find(id)
        .select(Office::as_select())
        .first(conn)
        .optional()
}

/// How many offices exist.
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    offices::table.count().get_result(conn)
}

/// Inserts one office.
pub fn insert(conn: &mut DbConn, office: &NewOffice) -> QueryResult<()> {
    diesel::insert_into(offices::table)
        .values(office)
        .execute(conn)
        .map(|_| ())
}

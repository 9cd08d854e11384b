//! Embedded migrations, one directory per engine with the same version names.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConn;

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Migration failures carry diesel's boxed error.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, MigrationError> {
    let applied = match conn {
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES)?,
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE)?,
    };
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// True when the database lacks a migration this build embeds.
pub fn has_pending(conn: &mut DbConn) -> Result<bool, MigrationError> {
    match conn {
        DbConn::Pg(c) => c.has_pending_migration(POSTGRES),
        DbConn::Sqlite(c) => c.has_pending_migration(SQLITE),
    }
}

/// Reverts the latest applied migration (its `down.sql`); returns its version. For tests that
/// replay a migration over rows written before it.
pub fn revert_last(conn: &mut DbConn) -> Result<String, MigrationError> {
    let v = match conn {
        DbConn::Pg(c) => c.revert_last_migration(POSTGRES)?,
        DbConn::Sqlite(c) => c.revert_last_migration(SQLITE)?,
    };
    Ok(v.to_string())
}

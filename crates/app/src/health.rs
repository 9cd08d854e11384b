//! Readiness: the database answers and its schema is at this build's latest migration.

use hunyin_store::{migrations, DbConn};

use crate::error::AppError;

/// `Ok` when ready; 503 `database_unavailable` or `migrations_pending` otherwise.
pub fn readiness(conn: &mut DbConn) -> Result<(), AppError> {
    let pending = migrations::has_pending(conn).map_err(|e| {
        tracing::warn!(error = %e, "readiness check could not read migrations");
        AppError::database_unavailable()
    })?;
    if pending {
        return Err(AppError::migrations_pending());
    }
    Ok(())
}

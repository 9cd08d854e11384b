//! Idempotent requests (the `Idempotency-Key` of a registrar): the first request with a key
//! saves its answer in its own transaction; a retry with the same key gets that answer back
//! instead of running again, and a key used for another request is refused.

use chrono::NaiveDateTime;
use serde::de::DeserializeOwned;
use serde::Serialize;

use hunyin_store::{registration, DbConn};

use crate::error::AppError;

/// The answer saved for (staff, key), if any; 422 `idempotency_key_reused` when the key was
/// used for another `request`.
pub fn saved<T: DeserializeOwned>(
    conn: &mut DbConn,
    staff_id: i64,
    key: &str,
    request: &str,
) -> Result<Option<T>, AppError> {
    let Some((answered, _status, response)) =
        registration::idempotent_response(conn, staff_id, key)?
    else {
        return Ok(None);
    };
    if answered != request {
        return Err(AppError::unprocessable(
            "idempotency_key_reused",
            "Idempotency-Key reused",
            "幂等键已用于其他请求",
        )
        .with_detail(
            "This Idempotency-Key was used for another application.",
            "该 Idempotency-Key 已用于其他申请。",
        ));
    }
    serde_json::from_str(&response)
        .map(Some)
        .map_err(AppError::internal)
}

/// Saves `answer` for (staff, key) in the caller's transaction.
pub fn save<T: Serialize>(
    conn: &mut DbConn,
    staff_id: i64,
    key: &str,
    request: &str,
    answer: &T,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let text = serde_json::to_string(answer).map_err(AppError::internal)?;
    registration::remember_response(conn, staff_id, key, request, 201, &text, now)?;
    Ok(())
}

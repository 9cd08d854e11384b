//! Admission of a partner's request: the protocol's checks (`hunyin_partner::authenticate`)
//! with this region's shared nonce store, and every refusal in the audit trail.

use chrono::NaiveDateTime;
use diesel::Connection;

use hunyin_partner::httpsig::RequestParts;
use hunyin_partner::{NonceStore, Operation, Partners, Peer, Refusal};
use hunyin_store::DbConn;

use crate::audit::{self, Details, Event};
use crate::error::AppError;

/// The nonces of accepted requests, in the database every instance of the region shares.
pub struct DbNonces<'a>(pub &'a mut DbConn);

impl NonceStore for DbNonces<'_> {
    fn remember(
        &mut self,
        key_id: &str,
        nonce: &str,
        keep_until: NaiveDateTime,
    ) -> Result<bool, String> {
        hunyin_store::partner::remember_nonce(self.0, key_id, nonce, keep_until)
            .map_err(|e| e.to_string())
    }
}

/// The partner that signed the request and the label of its signature; or 401 (403 for an
/// operation it may not call) with the refusal recorded.
pub fn authenticate<'a>(
    conn: &mut DbConn,
    partners: &'a Partners,
    parts: &RequestParts,
    body: &[u8],
    op: Operation,
) -> Result<(&'a Peer, String), AppError> {
    let now = chrono::Utc::now().timestamp();
    match hunyin_partner::authenticate(partners, &mut DbNonces(conn), parts, body, op, now) {
        Ok((peer, sig)) => Ok((peer, sig.label)),
        Err(r) => {
            refused(conn, parts, op, &r);
            Err(AppError::partner_refused(r.forbidden(), r.code, r.detail))
        }
    }
}

/// A partner's read (a verification, a status query) admitted and answered in one commit: the
/// nonce, and the audit event of the answer or of the refusal (issue 19: one commit per signed
/// read). The answer runs in a savepoint, so that its failure rolls back only its own writes and
/// the nonce stays spent. Answers the label of the request's signature, once authenticated.
pub fn read_once<T>(
    conn: &mut DbConn,
    partners: &Partners,
    parts: &RequestParts,
    body: &[u8],
    op: Operation,
    answer: impl FnOnce(&mut DbConn, &Peer) -> Result<T, AppError>,
) -> (Option<String>, Result<T, AppError>) {
    let once = hunyin_store::write_tx(conn, |c| -> Result<_, AppError> {
        Ok(match authenticate(c, partners, parts, body, op) {
            Ok((peer, label)) => (Some(label), c.transaction(|c| answer(c, peer))),
            Err(e) => (None, Err(e)),
        })
    });
    once.unwrap_or_else(|e| (None, Err(e)))
}

/// The longest claimed key id kept of a request from no directory partner: enough to tell
/// a misconfigured partner, too little to carry a payload.
const CLAIMED_KEY_ID_CHARS: usize = 32;

/// A key id the request claimed, cut to [`CLAIMED_KEY_ID_CHARS`] characters ("…" when cut).
fn claimed(key_id: &str) -> String {
    let mut chars = key_id.chars();
    let kept: String = chars.by_ref().take(CLAIMED_KEY_ID_CHARS).collect();
    match chars.next() {
        Some(_) => format!("{kept}…"),
        None => kept,
    }
}

/// Audits a refusal. The actor is a directory partner or nobody: a key id nobody has is the
/// caller's claim, kept shortened in the details only, so that it never reaches the
/// statistics or an export as if it were a partner.
fn refused(conn: &mut DbConn, parts: &RequestParts, op: Operation, r: &Refusal) {
    let key_id = match &r.partner {
        Some(_) => r.key_id.clone(),
        None => r.key_id.as_deref().map(claimed),
    };
    tracing::warn!(operation = op.name(), code = r.code, key_id = ?key_id, "partner request refused");
    let recorded = audit::record(
        conn,
        Event {
            actor_kind: "partner",
            actor_role: None,
            request_id: None,
            actor_id: r.partner.as_deref(),
            office_id: None,
            action: "partner.request_refused",
            subject_kind: None,
            subject_id: None,
            details: Details::none()
                .with("operation", op.name())
                .with("key_id", &key_id)
                .with("partner", &r.partner)
                .with("reason", r.code)
                .with("method", &parts.method)
                .with("target_uri", &parts.target_uri),
        },
    );
    if let Err(e) = recorded {
        tracing::error!(error = %e, "cannot audit a refused partner request");
    }
}

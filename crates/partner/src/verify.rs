//! The checks of a signed partner request (and of a partner's signed answer), in the order the
//! protocol gives.

use chrono::NaiveDateTime;

use crate::directory::Operation;
use crate::httpsig::{self, Message, Received, RequestParts, ResponseParts, SigError};
use crate::{sfv, Partners, Peer};

/// Where the nonces of accepted requests are kept, shared by every instance of a region, so a
/// replay to another instance fails too.
pub trait NonceStore {
    /// Records `nonce` of `key_id` until `keep_until` (UTC); false when it was seen before.
    fn remember(
        &mut self,
        key_id: &str,
        nonce: &str,
        keep_until: NaiveDateTime,
    ) -> Result<bool, String>;
}

/// Components every partner request must cover (and `content-type` when there is a body).
pub const REQUEST_COMPONENTS: [&str; 3] = ["@method", "@target-uri", "content-digest"];
/// Components of a signed response: status, body, and the request it answers.
pub const RESPONSE_COMPONENTS: [&str; 6] = [
    "@status",
    "content-digest",
    "content-type",
    "@method;req",
    "@target-uri;req",
    "signature;req;key=sig1",
];

/// Why a partner request was refused: a stable code (401, or 403 for `operation_forbidden`),
/// the claimed key id and, when the key is in the directory, the partner, for the audit trail.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: &'static str,
    pub detail: String,
    pub key_id: Option<String>,
    pub partner: Option<String>,
}

impl Refusal {
    /// 403 rather than 401: the partner is known but may not call this.
    pub fn forbidden(&self) -> bool {
        self.code == "operation_forbidden"
    }
}

/// The serialised identifier of a component given in the `name;param` shorthand.
fn component_id(shorthand: &str) -> String {
    sfv::item(&httpsig::components(&[shorthand])[0])
}

/// Checks a partner request, in order: signature present; key known; operation permitted;
/// required components covered; signature valid; digest equal to the body received; `created`
/// within the clock window; `expires` not passed; nonce never seen (recorded in the database,
/// so a replay to another instance on the same database fails too).
pub fn authenticate<'a>(
    partners: &'a Partners,
    nonces: &mut dyn NonceStore,
    req: &RequestParts,
    body: &[u8],
    op: Operation,
    now: i64,
) -> Result<(&'a Peer, Received), Refusal> {
    let got = httpsig::read(&req.headers).map_err(|e| Refusal {
        code: e.code(),
        detail: e.to_string(),
        key_id: None,
        partner: None,
    })?;
    let kid = got.keyid.clone();
    let Some(peer) = kid.as_deref().and_then(|k| partners.directory.by_key_id(k)) else {
        return Err(Refusal {
            code: "unknown_key",
            detail: "The signature's keyid is not in this instance's partner directory.".into(),
            key_id: kid,
            partner: None,
        });
    };
    let refuse = |code: &'static str, detail: String| Refusal {
        code,
        detail,
        key_id: kid.clone(),
        partner: Some(peer.name.clone()),
    };
    if !peer.may(op) {
        return Err(refuse(
            "operation_forbidden",
            format!("Partner {} may not call {}.", peer.name, op.name()),
        ));
    }
    let mut required = REQUEST_COMPONENTS.to_vec();
    if !body.is_empty() {
        required.push("content-type");
    }
    for c in required {
        let id = component_id(c);
        if !got.covers(&id) {
            return Err(refuse(
                "signature_incomplete",
                format!("The signature must cover {id}."),
            ));
        }
    }
    let (Some(created), Some(expires), Some(nonce)) =
        (got.created, got.expires, got.nonce.as_deref())
    else {
        return Err(refuse(
            "signature_incomplete",
            "The signature must carry created, expires and nonce.".into(),
        ));
    };
    httpsig::verify(Message::Request(req), &got, &peer.key)
        .map_err(|e| refuse(e.code(), e.to_string()))?;
    httpsig::check_digest(
        httpsig::header(&req.headers, "content-digest").as_deref(),
        body,
    )
    .map_err(|e| refuse(e.code(), e.to_string()))?;
    if created > now + partners.clock_skew
        || created < now - partners.clock_skew - partners.max_validity
    {
        return Err(refuse(
            "clock_skew",
            format!(
                "created={created} is outside this instance's clock window (now {now}, skew {} s).",
                partners.clock_skew
            ),
        ));
    }
    if expires < created || expires - created > partners.max_validity {
        return Err(refuse(
            "signature_validity",
            format!(
                "A signature may be valid for at most {} s.",
                partners.max_validity
            ),
        ));
    }
    if expires + partners.clock_skew < now {
        return Err(refuse(
            "signature_expired",
            format!("The signature expired at {expires} (now {now})."),
        ));
    }
    if nonce.is_empty() || nonce.len() > 128 {
        return Err(refuse(
            "signature_malformed",
            "The nonce must be 1-128 characters.".into(),
        ));
    }
    let keep_until = chrono::DateTime::from_timestamp(expires + partners.clock_skew + 1, 0)
        .map(|t| t.naive_utc())
        .unwrap_or_default();
    match nonces.remember(&peer.key_id, nonce, keep_until) {
        Ok(true) => Ok((peer, got)),
        Ok(false) => Err(refuse(
            "nonce_replayed",
            "This signature's nonce was used before.".into(),
        )),
        Err(e) => {
            tracing::warn!(error = %e, "cannot record a partner nonce");
            Err(refuse(
                "nonce_unrecorded",
                "The nonce could not be recorded; retry.".into(),
            ))
        }
    }
}

/// Checks a partner's signed response to our request: signed by the partner's key, covering
/// the status, the body digest and our request's signature; digest equal to the body; fresh.
pub fn check_response(
    partners: &Partners,
    peer: &Peer,
    res: &ResponseParts<'_>,
    body: &[u8],
) -> Result<(), SigError> {
    let got = httpsig::read(&res.headers)?;
    if got.keyid.as_deref() != Some(peer.key_id.as_str()) {
        return Err(SigError::Invalid);
    }
    for c in RESPONSE_COMPONENTS {
        let id = component_id(c);
        if !got.covers(&id) {
            return Err(SigError::NotCovered(id));
        }
    }
    httpsig::verify(Message::Response(res), &got, &peer.key)?;
    httpsig::check_digest(
        httpsig::header(&res.headers, "content-digest").as_deref(),
        body,
    )?;
    let now = chrono::Utc::now().timestamp();
    match (got.created, got.expires) {
        (Some(c), Some(e)) if c <= now + partners.clock_skew && e + partners.clock_skew >= now => {
            Ok(())
        }
        _ => Err(SigError::Malformed(
            "the response signature is stale".into(),
        )),
    }
}

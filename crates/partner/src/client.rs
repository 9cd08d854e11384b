//! Calls to partner instances: each request signed afresh (new nonce), each answer's signature
//! checked against the partner's key and bound to our request. Blocking (ureq): callers run on
//! blocking threads (request handlers' `web::block`, the outbox worker's `spawn_blocking`).

use std::time::Duration;

use serde_json::Value;

use crate::httpsig::{self, Message, RequestParts, ResponseParts};
use crate::{Partners, Peer, REQUEST_COMPONENTS};

/// Largest answer read from a partner.
const MAX_BODY: u64 = 256 * 1024;

/// Why a call gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// Nothing came back in time (refused, reset, timed out) or a 5xx came back (signed or
    /// not: a proxy's 502 is not the partner's, but worth retrying): worth retrying.
    #[error("transport: {0}")]
    Transport(String),
    /// The partner refused the request (4xx, signed by it) with this status and problem code.
    #[error("refused with {0} {1}")]
    Refused(u16, String),
    /// The answer came but cannot be trusted or read (unsigned or badly signed, whatever its
    /// status; wrong shape).
    #[error("bad answer: {0}")]
    BadAnswer(String),
}

/// An HTTP agent with the configured timeouts and no redirects.
pub fn agent(connect: Duration, total: Duration) -> ureq::Agent {
    let tls = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::NativeTls)
        .build();
    ureq::Agent::config_builder()
        .timeout_connect(Some(connect))
        .timeout_global(Some(total))
        .http_status_as_error(false)
        .max_redirects(0)
        .tls_config(tls)
        .build()
        .into()
}

fn with_headers<B>(
    mut b: ureq::RequestBuilder<B>,
    headers: &[(String, String)],
) -> ureq::RequestBuilder<B> {
    for (n, v) in headers {
        b = b.header(n.as_str(), v.as_str());
    }
    b
}

/// One signed exchange with `peer`: `path` (with query) under its base URL, an optional JSON
/// body (already serialised). Returns the status and the verified body.
pub fn call(
    partners: &Partners,
    agent: &ureq::Agent,
    peer: &Peer,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
) -> Result<(u16, Vec<u8>), CallError> {
    let url = format!("{}{}", peer.base_url, path);
    let bytes = body.map(<[u8]>::to_vec).unwrap_or_default();
    let mut headers = vec![("content-digest".to_owned(), httpsig::content_digest(&bytes))];
    let mut components = REQUEST_COMPONENTS.to_vec();
    if body.is_some() {
        headers.push(("content-type".into(), "application/json".into()));
        components.push("content-type");
    }
    let mut req = RequestParts {
        method: method.to_owned(),
        target_uri: url.clone(),
        headers,
    };
    let (input, signature) = partners
        .sign(Message::Request(&req), &components)
        .map_err(|e| CallError::BadAnswer(e.to_string()))?;
    req.headers.push(("signature-input".into(), input));
    req.headers.push(("signature".into(), signature));
    let sent = match method {
        "GET" => with_headers(agent.get(&url), &req.headers).call(),
        _ => with_headers(agent.post(&url), &req.headers).send(&bytes[..]),
    };
    let mut resp = sent.map_err(|e| CallError::Transport(e.to_string()))?;
    let status = resp.status().as_u16();
    let headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| CallError::Transport(e.to_string()))?;
    // Every answer, an error too, must be the partner's: signed with its key and bound to
    // our request. One that is not came from someone else (a proxy, an attacker between us)
    // and says nothing about the partner's records.
    let res = ResponseParts {
        status,
        headers,
        request: &req,
    };
    let verified = crate::check_response(partners, peer, &res, &body);
    if let Err(e) = &verified {
        tracing::warn!(partner = %peer.name, status, error = %e, "suspicious partner answer: not signed by the partner");
    }
    if status >= 500 {
        let how = if verified.is_ok() { "" } else { ", unsigned" };
        return Err(CallError::Transport(format!(
            "partner answered {status}{how}"
        )));
    }
    verified.map_err(|e| CallError::BadAnswer(format!("response signature: {e}")))?;
    if status >= 400 {
        let code = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "unknown".into());
        return Err(CallError::Refused(status, code));
    }
    Ok((status, body))
}

/// Why a guarded call gave no usable answer: shed before any traffic, or the call's own error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardedError {
    #[error("not called: {0}")]
    Shed(crate::guard::Shed),
    #[error(transparent)]
    Call(CallError),
}

/// [`call`] through the partner's guard, again after transport failures with a doubling
/// backoff, at most `retries` more times (only for idempotent operations). It takes a place
/// among the partner's calls in flight, held for every attempt, and the breaker's leave before
/// each attempt, told how it went. A refusal (a signed 4xx) is an answer: the partner is alive.
pub fn call_guarded(
    partners: &Partners,
    agent: &ureq::Agent,
    guard: &crate::guard::PeerGuard,
    peer: &Peer,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
) -> Result<(u16, Vec<u8>), GuardedError> {
    let _slot = guard.limit.enter().map_err(GuardedError::Shed)?;
    let mut attempt = 0;
    loop {
        let leave = guard.breaker.attempt().map_err(GuardedError::Shed)?;
        let result = call(partners, agent, peer, method, path, body);
        leave.done(matches!(result, Ok(_) | Err(CallError::Refused(..))));
        match result {
            Err(CallError::Transport(e)) if attempt < partners.retries => {
                let wait = partners.retry_backoff * 2u32.saturating_pow(attempt);
                tracing::info!(partner = %peer.name, attempt, error = %e, "partner call failed; retrying");
                std::thread::sleep(wait);
                attempt += 1;
            }
            other => return other.map_err(GuardedError::Call),
        }
    }
}

//! HTTP Message Signatures (RFC 9421) with `ed25519`, and Digest Fields (RFC 9530), over plain
//! message parts so that actix-web (server), ureq (client) and reqwest (tests) all use one
//! implementation. Signing and verifying build the same signature base from the same code.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256, Sha512};

use crate::sfv::{self, Bare, Item, Member, Params};

/// A request as signed: method, full target URI, header fields (names in lowercase).
#[derive(Debug, Clone)]
pub struct RequestParts {
    pub method: String,
    pub target_uri: String,
    pub headers: Vec<(String, String)>,
}

/// A response as signed, with the request it answers (for `;req` components).
#[derive(Debug, Clone)]
pub struct ResponseParts<'a> {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub request: &'a RequestParts,
}

/// The message a signature is over.
#[derive(Debug, Clone, Copy)]
pub enum Message<'a> {
    Request(&'a RequestParts),
    Response(&'a ResponseParts<'a>),
}

/// Why a signature or digest was refused; `code()` is the stable problem code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("the message carries no Signature-Input and Signature fields")]
    Missing,
    #[error("malformed signature fields: {0}")]
    Malformed(String),
    #[error("the signature does not cover {0}")]
    NotCovered(String),
    #[error("component {0} cannot be resolved on this message")]
    Component(String),
    #[error("the signature does not verify")]
    Invalid,
    #[error("Content-Digest is missing or does not match the body")]
    Digest,
}

impl SigError {
    pub fn code(&self) -> &'static str {
        match self {
            SigError::Missing => "signature_missing",
            SigError::Malformed(_) | SigError::Component(_) => "signature_malformed",
            SigError::NotCovered(_) => "signature_incomplete",
            SigError::Invalid => "signature_invalid",
            SigError::Digest => "digest_mismatch",
        }
    }
}

/// `Content-Digest` of a body with sha-256 (RFC 9530).
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

/// Checks a `Content-Digest` field against the body actually received: every sha-256 or
/// sha-512 member present must match, and at least one must be present.
pub fn check_digest(field: Option<&str>, body: &[u8]) -> Result<(), SigError> {
    let dict =
        sfv::parse_dictionary(field.ok_or(SigError::Digest)?).map_err(|_| SigError::Digest)?;
    let mut checked = 0;
    for (alg, m) in &dict {
        let Member::Item(Item {
            bare: Bare::Bytes(got),
            ..
        }) = m
        else {
            return Err(SigError::Digest);
        };
        let want: Vec<u8> = match alg.as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        if *got != want {
            return Err(SigError::Digest);
        }
        checked += 1;
    }
    if checked == 0 {
        return Err(SigError::Digest);
    }
    Ok(())
}

fn header_values<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .collect()
}

/// Looks up a header field on a message (lowercase name; several fields joined by ", ").
pub fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    let v = header_values(headers, name);
    (!v.is_empty()).then(|| v.join(", "))
}

/// `scheme`, `authority`, `path`, `query` of an absolute URI.
fn split_uri(uri: &str) -> Option<(String, String, String, Option<String>)> {
    let (scheme, rest) = uri.split_once("://")?;
    let (authority, path_query) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (p, Some(q.to_owned())),
        None => (path_query, None),
    };
    let scheme = scheme.to_ascii_lowercase();
    let mut authority = authority.to_ascii_lowercase();
    for default in [("http", ":80"), ("https", ":443")] {
        if scheme == default.0 && authority.ends_with(default.1) {
            authority.truncate(authority.len() - default.1.len());
        }
    }
    let path = if path.is_empty() { "/" } else { path };
    Some((scheme, authority, path.to_owned(), query))
}

fn derived(req: &RequestParts, name: &str) -> Option<String> {
    let (scheme, authority, path, query) = split_uri(&req.target_uri)?;
    Some(match name {
        "@method" => req.method.to_ascii_uppercase(),
        "@target-uri" => req.target_uri.clone(),
        "@authority" => authority,
        "@scheme" => scheme,
        "@path" => path,
        "@query" => format!("?{}", query.unwrap_or_default()),
        "@request-target" => match query {
            Some(q) => format!("{path}?{q}"),
            None => path,
        },
        _ => return None,
    })
}

/// The value of one covered component (RFC 9421 §2).
fn component_value(msg: Message<'_>, id: &Item) -> Result<String, SigError> {
    let Bare::String(name) = &id.bare else {
        return Err(SigError::Malformed("component names are strings".into()));
    };
    let unknown = || SigError::Component(sfv::item(id));
    let mut from_request = false;
    let mut key = None;
    for (p, v) in &id.params {
        match (p.as_str(), v) {
            ("req", Bare::Boolean(true)) => from_request = true,
            ("key", Bare::String(k)) => key = Some(k.as_str()),
            _ => return Err(unknown()),
        }
    }
    let (headers, request, status) = match (msg, from_request) {
        (Message::Request(r), false) => (&r.headers, r, None),
        (Message::Request(_), true) => return Err(unknown()),
        (Message::Response(r), false) => (&r.headers, r.request, Some(r.status)),
        (Message::Response(r), true) => (&r.request.headers, r.request, None),
    };
    if name.starts_with('@') {
        if key.is_some() {
            return Err(unknown());
        }
        if name == "@status" {
            return status.map(|s| s.to_string()).ok_or_else(unknown);
        }
        if status.is_some() {
            // Request-derived components of a response need `;req`.
            return Err(unknown());
        }
        return derived(request, name).ok_or_else(unknown);
    }
    if name.bytes().any(|c| c.is_ascii_uppercase()) {
        return Err(unknown());
    }
    let value = header(headers, name).ok_or_else(unknown)?;
    match key {
        None => Ok(value),
        Some(k) => {
            let dict = sfv::parse_dictionary(&value).map_err(|_| unknown())?;
            dict.iter()
                .find(|(name, _)| name == k)
                .map(|(_, m)| sfv::member(m))
                .ok_or_else(unknown)
        }
    }
}

/// The signature base (RFC 9421 §2.5) for covered `components` with signature `params`.
pub fn signature_base(
    msg: Message<'_>,
    components: &[Item],
    params: &Params,
) -> Result<String, SigError> {
    let mut base = String::new();
    let mut seen = Vec::with_capacity(components.len());
    for c in components {
        let id = sfv::item(c);
        if seen.contains(&id) {
            return Err(SigError::Malformed(format!("component {id} repeated")));
        }
        seen.push(id.clone());
        let value = component_value(msg, c)?;
        if value.contains('\n') {
            return Err(SigError::Malformed(
                "a component value holds a newline".into(),
            ));
        }
        base.push_str(&format!("{id}: {value}\n"));
    }
    let sig_params = sfv::member(&Member::InnerList(components.to_vec(), params.clone()));
    base.push_str(&format!("\"@signature-params\": {sig_params}"));
    Ok(base)
}

/// Covered component identifiers, from plain names and `name;req` / `name;req;key=k` forms.
pub fn components(ids: &[&str]) -> Vec<Item> {
    ids.iter()
        .map(|id| {
            let mut parts = id.split(';');
            let name = parts.next().unwrap_or_default().to_owned();
            let params = parts
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.to_owned(), Bare::String(v.to_owned())),
                    None => (p.to_owned(), Bare::Boolean(true)),
                })
                .collect();
            Item {
                bare: Bare::String(name),
                params,
            }
        })
        .collect()
}

/// What to sign with.
pub struct SignSpec<'a> {
    pub label: &'a str,
    pub components: Vec<Item>,
    pub created: i64,
    pub expires: i64,
    pub keyid: &'a str,
    pub nonce: &'a str,
}

/// Signs `msg`; returns the `Signature-Input` and `Signature` field values.
pub fn sign(
    msg: Message<'_>,
    key: &SigningKey,
    spec: &SignSpec<'_>,
) -> Result<(String, String), SigError> {
    let params: Params = vec![
        ("created".into(), Bare::Integer(spec.created)),
        ("expires".into(), Bare::Integer(spec.expires)),
        ("keyid".into(), Bare::String(spec.keyid.into())),
        ("nonce".into(), Bare::String(spec.nonce.into())),
        ("alg".into(), Bare::String("ed25519".into())),
    ];
    let base = signature_base(msg, &spec.components, &params)?;
    let sig = key.sign(base.as_bytes());
    let input = sfv::dictionary(&vec![(
        spec.label.to_owned(),
        Member::InnerList(spec.components.clone(), params),
    )]);
    let signature = sfv::dictionary(&vec![(
        spec.label.to_owned(),
        Member::Item(Item {
            bare: Bare::Bytes(sig.to_bytes().to_vec()),
            params: vec![],
        }),
    )]);
    Ok((input, signature))
}

/// One signature read from a message, before it is checked.
#[derive(Debug, Clone)]
pub struct Received {
    pub label: String,
    pub components: Vec<Item>,
    pub params: Params,
    pub signature: Vec<u8>,
    pub keyid: Option<String>,
    pub created: Option<i64>,
    pub expires: Option<i64>,
    pub nonce: Option<String>,
    pub alg: Option<String>,
}

impl Received {
    /// Whether the signature covers component `id` (as written, e.g. `"signature";req;key="sig1"`).
    pub fn covers(&self, id: &str) -> bool {
        self.components.iter().any(|c| sfv::item(c) == id)
    }
}

/// Reads the first signature of `Signature-Input` that has a matching `Signature` member.
pub fn read(headers: &[(String, String)]) -> Result<Received, SigError> {
    let (Some(input), Some(sig)) = (
        header(headers, "signature-input"),
        header(headers, "signature"),
    ) else {
        return Err(SigError::Missing);
    };
    let input = sfv::parse_dictionary(&input).map_err(|e| SigError::Malformed(e.to_string()))?;
    let sigs = sfv::parse_dictionary(&sig).map_err(|e| SigError::Malformed(e.to_string()))?;
    for (label, m) in &input {
        let Member::InnerList(components, params) = m else {
            return Err(SigError::Malformed(format!("{label} is not an inner list")));
        };
        let Some((
            _,
            Member::Item(Item {
                bare: Bare::Bytes(signature),
                ..
            }),
        )) = sigs.iter().find(|(l, _)| l == label)
        else {
            continue;
        };
        if components
            .iter()
            .any(|c| !matches!(c.bare, Bare::String(_)))
        {
            return Err(SigError::Malformed("component names are strings".into()));
        }
        let str_param = |k: &str| match sfv::param(params, k) {
            Some(Bare::String(s)) => Ok(Some(s.clone())),
            None => Ok(None),
            Some(_) => Err(SigError::Malformed(format!(
                "parameter {k} is not a string"
            ))),
        };
        let int_param = |k: &str| match sfv::param(params, k) {
            Some(Bare::Integer(n)) => Ok(Some(*n)),
            None => Ok(None),
            Some(_) => Err(SigError::Malformed(format!(
                "parameter {k} is not an integer"
            ))),
        };
        return Ok(Received {
            label: label.clone(),
            components: components.clone(),
            params: params.clone(),
            signature: signature.clone(),
            keyid: str_param("keyid")?,
            created: int_param("created")?,
            expires: int_param("expires")?,
            nonce: str_param("nonce")?,
            alg: str_param("alg")?,
        });
    }
    Err(SigError::Missing)
}

/// Verifies a received signature over `msg` with `key`.
pub fn verify(msg: Message<'_>, got: &Received, key: &VerifyingKey) -> Result<(), SigError> {
    if got.alg.as_deref().is_some_and(|a| a != "ed25519") {
        return Err(SigError::Invalid);
    }
    let base = signature_base(msg, &got.components, &got.params)?;
    let sig = Signature::from_slice(&got.signature).map_err(|_| SigError::Invalid)?;
    key.verify(base.as_bytes(), &sig)
        .map_err(|_| SigError::Invalid)
}

#[cfg(test)]
mod tests;

//! The partner protocol between pilot regions: a directory of partner instances (longest GB/T
//! 2260 prefix wins), this instance's Ed25519 identity, and the checks every signed request and
//! response goes through (RFC 9421 signatures, RFC 9530 digests, clock window, nonces).

pub mod client;
pub mod httpsig;
pub mod keys;
pub mod notifications;
pub mod sfv;

use std::time::Duration;

use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::configuration::{InstanceSettings, PartnerSettings};
use crate::db::{self, DbConn};
use httpsig::{Message, Received, RequestParts, ResponseParts, SigError, SignSpec};

/// What a partner may ask of this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    HouseholdVerification,
    Notification,
    RegistrationStatus,
}

impl Operation {
    pub const ALL: [Operation; 3] = [
        Operation::HouseholdVerification,
        Operation::Notification,
        Operation::RegistrationStatus,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::HouseholdVerification => "household_verification",
            Operation::Notification => "notification",
            Operation::RegistrationStatus => "registration_status",
        }
    }

    fn parse(s: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.name() == s)
    }
}

/// One partner instance.
#[derive(Debug, Clone)]
pub struct Peer {
    pub name: String,
    pub prefixes: Vec<String>,
    /// Without a trailing slash.
    pub base_url: String,
    pub key_id: String,
    pub key: VerifyingKey,
    /// What this peer may call here.
    pub operations: Vec<Operation>,
}

impl Peer {
    pub fn may(&self, op: Operation) -> bool {
        self.operations.contains(&op)
    }
}

/// The partner directory.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub peers: Vec<Peer>,
    region_prefix: String,
}

impl Directory {
    /// Reads and checks `[[partner.peers]]`: known prefixes, http(s) URLs, valid keys, known
    /// operations, unique names, key ids and prefixes; none may claim this instance's region.
    pub fn from_settings(p: &PartnerSettings, i: &InstanceSettings) -> Result<Directory, String> {
        let mut peers: Vec<Peer> = Vec::new();
        for (n, s) in p.peers.iter().enumerate() {
            let at = |why: String| format!("key `partner.peers[{n}]` ({}): {why}", s.name);
            if s.name.trim().is_empty() {
                return Err(at("name must not be empty".into()));
            }
            if s.prefixes.is_empty() {
                return Err(at("prefixes must list at least one GB/T 2260 prefix".into()));
            }
            for prefix in &s.prefixes {
                if !crate::domain::division::is_known_prefix(prefix) {
                    return Err(at(format!("{prefix:?} is not a known GB/T 2260 prefix")));
                }
                if prefix.starts_with(&i.region_prefix) || i.region_prefix.starts_with(prefix) {
                    return Err(at(format!(
                        "{prefix:?} overlaps this instance's own region {:?}",
                        i.region_prefix
                    )));
                }
                if peers.iter().any(|q| q.prefixes.contains(prefix)) {
                    return Err(at(format!("prefix {prefix:?} is listed twice")));
                }
            }
            if !(s.base_url.starts_with("http://") || s.base_url.starts_with("https://")) {
                return Err(at("base_url must be an http:// or https:// URL".into()));
            }
            if s.key_id.trim().is_empty() {
                return Err(at("key_id must not be empty".into()));
            }
            let key = keys::public_from_text(&s.public_key)
                .map_err(|e| at(format!("public_key: {e}")))?;
            let mut operations = Vec::new();
            for o in &s.operations {
                operations.push(Operation::parse(o).ok_or_else(|| {
                    at(format!(
                        "unknown operation {o:?} (household_verification, notification, registration_status)"
                    ))
                })?);
            }
            if peers
                .iter()
                .any(|q| q.name == s.name || q.key_id == s.key_id)
            {
                return Err(at("name and key_id must be unique".into()));
            }
            peers.push(Peer {
                name: s.name.clone(),
                prefixes: s.prefixes.clone(),
                base_url: s.base_url.trim_end_matches('/').to_owned(),
                key_id: s.key_id.clone(),
                key,
                operations,
            });
        }
        Ok(Directory {
            peers,
            region_prefix: i.region_prefix.clone(),
        })
    }

    /// The instance serving a hukou division code: the peer with the longest matching prefix
    /// (none for this instance's own region).
    pub fn for_division(&self, code: &str) -> Option<&Peer> {
        if code.starts_with(&self.region_prefix) {
            return None;
        }
        self.peers
            .iter()
            .flat_map(|p| p.prefixes.iter().map(move |x| (x, p)))
            .filter(|(x, _)| code.starts_with(x.as_str()))
            .max_by_key(|(x, _)| x.len())
            .map(|(_, p)| p)
    }

    pub fn by_key_id(&self, key_id: &str) -> Option<&Peer> {
        self.peers.iter().find(|p| p.key_id == key_id)
    }

    pub fn by_name(&self, name: &str) -> Option<&Peer> {
        self.peers.iter().find(|p| p.name == name)
    }

    /// Each partner's name and the first prefix it serves (how statistics name its region).
    pub fn regions(&self) -> std::collections::BTreeMap<String, String> {
        self.peers
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.prefixes.first().cloned().unwrap_or_default(),
                )
            })
            .collect()
    }
}

/// Everything the partner protocol needs at run time.
pub struct Partners {
    pub directory: Directory,
    /// Our key id and private key; `None` when the protocol is off.
    pub identity: Option<(String, SigningKey)>,
    pub public_url: String,
    pub clock_skew: i64,
    pub max_validity: i64,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub retries: u32,
    pub retry_backoff: Duration,
}

impl Partners {
    /// Builds from the settings, reading the private key file.
    pub fn from_settings(p: &PartnerSettings, i: &InstanceSettings) -> Result<Partners, String> {
        let directory = Directory::from_settings(p, i)?;
        let identity = match (p.key_id.trim(), p.private_key_file.trim()) {
            ("", "") => None,
            ("", _) | (_, "") => {
                return Err(
                    "keys `partner.key_id` and `partner.private_key_file` are set together".into(),
                )
            }
            (id, file) => {
                let pem = std::fs::read_to_string(file).map_err(|e| {
                    format!("key `partner.private_key_file`: cannot read {file}: {e}")
                })?;
                let key = keys::private_from_pem(&pem)
                    .map_err(|e| format!("key `partner.private_key_file` ({file}): {e}"))?;
                Some((id.to_owned(), key))
            }
        };
        if identity.is_none() && !directory.peers.is_empty() {
            return Err("partner peers are configured but `partner.key_id` and `partner.private_key_file` are not".into());
        }
        Ok(Partners {
            directory,
            identity,
            public_url: p.public_url.trim_end_matches('/').to_owned(),
            clock_skew: p.clock_skew_secs as i64,
            max_validity: p.max_validity_secs.max(1) as i64,
            connect_timeout: Duration::from_millis(p.connect_timeout_ms),
            timeout: Duration::from_millis(p.timeout_ms),
            retries: p.retries,
            retry_backoff: Duration::from_millis(p.retry_backoff_ms),
        })
    }

    /// The protocol switched off (no key, no peers).
    pub fn disabled() -> Partners {
        Partners {
            directory: Directory::default(),
            identity: None,
            public_url: String::new(),
            clock_skew: 60,
            max_validity: 300,
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            retries: 0,
            retry_backoff: Duration::from_millis(200),
        }
    }

    /// Signs a message with our key: a fresh nonce, valid for `max_validity` seconds.
    pub fn sign(
        &self,
        msg: Message<'_>,
        components: &[&str],
    ) -> Result<(String, String), SigError> {
        let (key_id, key) = self
            .identity
            .as_ref()
            .ok_or_else(|| SigError::Malformed("this instance has no signing key".into()))?;
        let created = chrono::Utc::now().timestamp();
        let nonce = crate::tokens::secret();
        httpsig::sign(
            msg,
            key,
            &SignSpec {
                label: "sig1",
                components: httpsig::components(components),
                created,
                expires: created + self.max_validity,
                keyid: key_id,
                nonce: &nonce,
            },
        )
    }
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
    conn: &mut DbConn,
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
    match db::partner::remember_nonce(conn, &peer.key_id, nonce, keep_until) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configuration::PeerSettings;

    fn peer(name: &str, prefixes: &[&str], key: &SigningKey) -> PeerSettings {
        PeerSettings {
            name: name.into(),
            prefixes: prefixes.iter().map(|s| s.to_string()).collect(),
            base_url: format!("http://{name}.example/"),
            key_id: format!("{name}-key"),
            public_key: keys::public_to_text(&key.verifying_key()),
            operations: vec!["household_verification".into()],
        }
    }

    fn settings(peers: Vec<PeerSettings>) -> (PartnerSettings, InstanceSettings) {
        let s = crate::configuration::Settings::load(None, Vec::<(String, String)>::new()).unwrap();
        let mut p = s.partner.clone();
        p.peers = peers;
        (p, s.instance.clone())
    }

    #[test]
    fn longest_prefix_wins_and_own_region_has_no_peer() {
        let k = SigningKey::from_bytes(&[1; 32]);
        let (p, i) = settings(vec![
            peer("henan", &["41"], &k),
            peer("wuhan", &["4201"], &SigningKey::from_bytes(&[2; 32])),
            peer("hubei", &["42"], &SigningKey::from_bytes(&[3; 32])),
        ]);
        let d = Directory::from_settings(&p, &i).unwrap();
        assert_eq!(d.for_division("410102").unwrap().name, "henan");
        assert_eq!(d.for_division("420106").unwrap().name, "wuhan");
        assert_eq!(d.for_division("420502").unwrap().name, "hubei");
        assert!(d.for_division("320505").is_none());
        assert!(d.for_division("610113").is_none());
        assert_eq!(d.by_name("henan").unwrap().base_url, "http://henan.example");
        assert!(d
            .by_key_id("wuhan-key")
            .unwrap()
            .may(Operation::HouseholdVerification));
        assert!(!d
            .by_key_id("wuhan-key")
            .unwrap()
            .may(Operation::Notification));
    }

    #[test]
    fn a_bad_directory_is_refused_naming_the_entry() {
        let k = SigningKey::from_bytes(&[1; 32]);
        let cases: Vec<(PeerSettings, &str)> = vec![
            (
                PeerSettings {
                    prefixes: vec!["99".into()],
                    ..peer("x", &[], &k)
                },
                "not a known",
            ),
            (peer("x", &["3205"], &k), "overlaps"),
            (
                PeerSettings {
                    base_url: "ftp://x".into(),
                    ..peer("x", &["41"], &k)
                },
                "base_url",
            ),
            (
                PeerSettings {
                    public_key: "AAAA".into(),
                    ..peer("x", &["41"], &k)
                },
                "public_key",
            ),
            (
                PeerSettings {
                    operations: vec!["delete_all".into()],
                    ..peer("x", &["41"], &k)
                },
                "unknown operation",
            ),
        ];
        for (bad, why) in cases {
            let (p, i) = settings(vec![bad]);
            let e = Directory::from_settings(&p, &i).unwrap_err();
            assert!(e.contains("partner.peers[0]") && e.contains(why), "{e}");
        }
        let (p, i) = settings(vec![peer("a", &["41"], &k), peer("b", &["41"], &k)]);
        assert!(Directory::from_settings(&p, &i)
            .unwrap_err()
            .contains("twice"));
    }
}

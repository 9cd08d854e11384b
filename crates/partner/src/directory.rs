//! The partner directory: which instance serves which GB/T 2260 prefixes (longest prefix wins),
//! with its key and the operations it may call here.

use ed25519_dalek::VerifyingKey;
use hunyin_domain::division::is_known_prefix;

use crate::keys;

/// One `[[partner.peers]]` entry as configured, before it is checked.
#[derive(Debug, Clone)]
pub struct PeerConfig {
    pub name: String,
    pub prefixes: Vec<String>,
    pub base_url: String,
    pub key_id: String,
    /// The public key as text (PEM or base64 raw).
    pub public_key: String,
    pub operations: Vec<String>,
}

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

    /// Parses a configured operation name.
    pub fn parse(s: &str) -> Option<Operation> {
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
    /// True when this peer may call `op` here (deny by default).
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
    /// Checks the configured peers (`[[partner.peers]]`): known prefixes, http(s) URLs, valid
    /// keys, known operations, unique names, key ids and prefixes; none may claim this
    /// instance's own region `region_prefix`. An error names the entry.
    pub fn new(configured: &[PeerConfig], region_prefix: &str) -> Result<Directory, String> {
        let mut peers: Vec<Peer> = Vec::new();
        for (n, s) in configured.iter().enumerate() {
            let at = |why: String| format!("key `partner.peers[{n}]` ({}): {why}", s.name);
            if s.name.trim().is_empty() {
                return Err(at("name must not be empty".into()));
            }
            if s.prefixes.is_empty() {
                return Err(at("prefixes must list at least one GB/T 2260 prefix".into()));
            }
            for prefix in &s.prefixes {
                if !is_known_prefix(prefix) {
                    return Err(at(format!("{prefix:?} is not a known GB/T 2260 prefix")));
                }
                if prefix.starts_with(region_prefix) || region_prefix.starts_with(prefix) {
                    return Err(at(format!(
                        "{prefix:?} overlaps this instance's own region {:?}",
                        region_prefix
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
            region_prefix: region_prefix.to_owned(),
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

    /// The peer signing with `key_id`.
    pub fn by_key_id(&self, key_id: &str) -> Option<&Peer> {
        self.peers.iter().find(|p| p.key_id == key_id)
    }

    /// The peer called `name`.
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

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn peer(name: &str, prefixes: &[&str], key: &SigningKey) -> PeerConfig {
        PeerConfig {
            name: name.into(),
            prefixes: prefixes.iter().map(|s| s.to_string()).collect(),
            base_url: format!("http://{name}.example/"),
            key_id: format!("{name}-key"),
            public_key: keys::public_to_text(&key.verifying_key()),
            operations: vec!["household_verification".into()],
        }
    }

    #[test]
    fn longest_prefix_wins_and_own_region_has_no_peer() {
        let k = SigningKey::from_bytes(&[1; 32]);
        let d = Directory::new(
            &[
                peer("henan", &["41"], &k),
                peer("wuhan", &["4201"], &SigningKey::from_bytes(&[2; 32])),
                peer("hubei", &["42"], &SigningKey::from_bytes(&[3; 32])),
            ],
            "32",
        )
        .unwrap();
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
        let cases: Vec<(PeerConfig, &str)> = vec![
            (
                PeerConfig {
                    prefixes: vec!["99".into()],
                    ..peer("x", &[], &k)
                },
                "not a known",
            ),
            (peer("x", &["3205"], &k), "overlaps"),
            (
                PeerConfig {
                    base_url: "ftp://x".into(),
                    ..peer("x", &["41"], &k)
                },
                "base_url",
            ),
            (
                PeerConfig {
                    public_key: "AAAA".into(),
                    ..peer("x", &["41"], &k)
                },
                "public_key",
            ),
            (
                PeerConfig {
                    operations: vec!["delete_all".into()],
                    ..peer("x", &["41"], &k)
                },
                "unknown operation",
            ),
        ];
        for (bad, why) in cases {
            let e = Directory::new(&[bad], "32").unwrap_err();
            assert!(e.contains("partner.peers[0]") && e.contains(why), "{e}");
        }
        let twice = [peer("a", &["41"], &k), peer("b", &["41"], &k)];
        assert!(Directory::new(&twice, "32").unwrap_err().contains("twice"));
    }
}

//! `[partner]` into the partner protocol: the directory of peers and this instance's identity.

use std::time::Duration;

use hunyin_partner::{keys, Directory, Partners, PeerConfig};

use crate::configuration::{InstanceSettings, PartnerSettings};

/// The checked directory of `[[partner.peers]]`; an error names the entry.
pub fn directory(p: &PartnerSettings, i: &InstanceSettings) -> Result<Directory, String> {
    let peers: Vec<PeerConfig> = p
        .peers
        .iter()
        .map(|s| PeerConfig {
            name: s.name.clone(),
            prefixes: s.prefixes.clone(),
            base_url: s.base_url.clone(),
            key_id: s.key_id.clone(),
            public_key: s.public_key.clone(),
            operations: s.operations.clone(),
        })
        .collect();
    Directory::new(&peers, &i.region_prefix)
}

/// Builds from the settings, reading the private key file.
pub fn partners(p: &PartnerSettings, i: &InstanceSettings) -> Result<Partners, String> {
    let directory = directory(p, i)?;
    let identity = match (p.key_id.trim(), p.private_key_file.trim()) {
        ("", "") => None,
        ("", _) | (_, "") => {
            return Err(
                "keys `partner.key_id` and `partner.private_key_file` are set together".into(),
            )
        }
        (id, file) => {
            let pem = std::fs::read_to_string(file)
                .map_err(|e| format!("key `partner.private_key_file`: cannot read {file}: {e}"))?;
            let key = keys::private_from_pem(&pem)
                .map_err(|e| format!("key `partner.private_key_file` ({file}): {e}"))?;
            Some((id.to_owned(), key))
        }
    };
    if identity.is_none() && !directory.peers.is_empty() {
        return Err("partner peers are configured but `partner.key_id` and `partner.private_key_file` are not".into());
    }
    // Without it, the @target-uri a partner signed would be checked against the Host the
    // caller chose to send.
    if !directory.peers.is_empty() && p.public_url.trim().is_empty() {
        return Err("key `partner.public_url`: must be set when partner peers are configured (the URL partners reach this instance at, e.g. \"https://hunyin.js.example\")".into());
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

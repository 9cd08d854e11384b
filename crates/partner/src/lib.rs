//! The partner protocol between pilot regions, as a library: a directory of partner instances
//! (longest GB/T 2260 prefix wins), this instance's Ed25519 identity, the checks every signed
//! request and response goes through (RFC 9421 signatures, RFC 9530 digests, clock window,
//! nonces), the signed client, and the wire types both sides speak.

pub mod client;
pub mod directory;
pub mod guard;
pub mod httpsig;
pub mod keys;
pub mod sfv;
pub mod verify;
pub mod wire;

use std::time::Duration;

use ed25519_dalek::SigningKey;

pub use directory::{Directory, Operation, Peer, PeerConfig};
use httpsig::{Message, SigError, SignSpec};
pub use verify::{authenticate, check_response, NonceStore, Refusal};
pub use verify::{REQUEST_COMPONENTS, RESPONSE_COMPONENTS};

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
        let nonce = fresh_nonce();
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

/// 256 random bits as hex: a signature's nonce.
fn fresh_nonce() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

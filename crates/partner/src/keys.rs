//! Ed25519 keys in the forms people exchange: PKCS#8 PEM for our private key (what
//! `openssl genpkey -algorithm ed25519` writes), and a partner's public key as base64 of its 32
//! bytes or as SPKI PEM (what `openssl pkey -pubout` writes).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{SigningKey, VerifyingKey};

/// DER prefix of an Ed25519 PKCS#8 v1 private key (RFC 8410 §7), followed by the 32-byte seed.
const PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4), followed by the 32-byte key.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

fn pem_body(pem: &str, label: &str) -> Result<Vec<u8>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin).ok_or_else(|| format!("no {begin} line"))? + begin.len();
    let stop = pem[start..]
        .find(&end)
        .ok_or_else(|| format!("no {end} line"))?
        + start;
    let b64: String = pem[start..stop].split_whitespace().collect();
    STANDARD
        .decode(b64)
        .map_err(|e| format!("bad base64 in the PEM: {e}"))
}

/// Reads an Ed25519 private key from PKCS#8 PEM.
pub fn private_from_pem(pem: &str) -> Result<SigningKey, String> {
    let der = pem_body(pem, "PRIVATE KEY")?;
    if der.len() != 48 || der[..16] != PKCS8_PREFIX {
        return Err("not an Ed25519 PKCS#8 private key".into());
    }
    let seed: [u8; 32] = der[16..].try_into().map_err(|_| "bad key length")?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes an Ed25519 private key as PKCS#8 PEM.
pub fn private_to_pem(key: &SigningKey) -> String {
    let mut der = PKCS8_PREFIX.to_vec();
    der.extend_from_slice(key.as_bytes());
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD.encode(der)
    )
}

/// Reads an Ed25519 public key from SPKI PEM.
pub fn public_from_pem(pem: &str) -> Result<VerifyingKey, String> {
    let der = pem_body(pem, "PUBLIC KEY")?;
    if der.len() != 44 || der[..12] != SPKI_PREFIX {
        return Err("not an Ed25519 public key".into());
    }
    raw_public(&der[12..])
}

fn raw_public(bytes: &[u8]) -> Result<VerifyingKey, String> {
    let raw: [u8; 32] = bytes
        .try_into()
        .map_err(|_| format!("an Ed25519 public key is 32 bytes, not {}", bytes.len()))?;
    VerifyingKey::from_bytes(&raw).map_err(|e| format!("not an Ed25519 public key: {e}"))
}

/// Reads a public key given as base64 of its 32 bytes, or as SPKI PEM.
pub fn public_from_text(text: &str) -> Result<VerifyingKey, String> {
    let text = text.trim();
    if text.starts_with("-----BEGIN") {
        return public_from_pem(text);
    }
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| format!("bad base64: {e}"))?;
    raw_public(&bytes)
}

/// Base64 of the public key's 32 bytes (the form the partner directory takes).
pub fn public_to_text(key: &VerifyingKey) -> String {
    STANDARD.encode(key.as_bytes())
}

/// A new key pair from the operating system's random source.
pub fn generate() -> Result<SigningKey, String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("no random source: {e}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_round_trip_through_pem_and_text() {
        let k = generate().unwrap();
        let back = private_from_pem(&private_to_pem(&k)).unwrap();
        assert_eq!(back.as_bytes(), k.as_bytes());
        let text = public_to_text(&k.verifying_key());
        assert_eq!(public_from_text(&text).unwrap(), k.verifying_key());
    }

    #[test]
    fn wrong_keys_are_refused_with_a_reason() {
        assert!(private_from_pem("nothing").unwrap_err().contains("BEGIN"));
        let rsa_like = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----";
        assert!(private_from_pem(rsa_like).unwrap_err().contains("Ed25519"));
        assert!(public_from_text("AAAA").unwrap_err().contains("32 bytes"));
        assert!(public_from_text("!!").unwrap_err().contains("base64"));
    }
}

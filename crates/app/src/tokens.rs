//! Random references and secret tokens. Tokens are returned once and stored only as SHA-256.

use sha2::{Digest, Sha256};

/// Crockford base32 without I, L, O, U: unambiguous when read aloud or retyped.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the OS random source is available");
    buf
}

/// A short reference: `PREFIX-` and 6 characters (32^6 ≈ 10^9 values), e.g. `AP-7K3M9Q`.
pub fn reference(prefix: &str) -> String {
    let bytes = random_bytes::<6>();
    let code: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect();
    format!("{prefix}-{code}")
}

/// A secret token: 32 random bytes as 64 hex characters.
pub fn secret() -> String {
    hex(&random_bytes::<32>())
}

/// SHA-256 of a token, hex, for storage.
pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares a presented token with a stored hash in time independent of where they differ.
pub fn matches(token: &str, stored_hash: &str) -> bool {
    let presented = hash(token);
    presented.len() == stored_hash.len()
        && presented
            .bytes()
            .zip(stored_hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_shape() {
        let r = reference("AP");
        assert_eq!(r.len(), 9);
        assert!(r.starts_with("AP-"));
        assert!(r[3..].bytes().all(|b| ALPHABET.contains(&b)));
        assert!(!r[3..].contains(['I', 'L', 'O', 'U']));
    }

    #[test]
    fn secrets_differ_and_hash_matches() {
        let (a, b) = (secret(), secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(matches(&a, &hash(&a)));
        assert!(!matches(&b, &hash(&a)));
        assert!(!matches("", &hash(&a)));
    }
}

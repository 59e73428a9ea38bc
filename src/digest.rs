//! SHA-256 the two ways the gateway uses it: as lowercase hex (stored token
//! hashes, request fingerprints, persisted-query hashes), and to compare a
//! secret without the time taken saying anything about it.

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    Sha256::digest(bytes.as_ref())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `given` is `known`, compared by digest: equal-length digests are
/// compared whatever the texts, so the time does not tell how much matched.
pub fn same_secret(given: &str, known: &str) -> bool {
    Sha256::digest(given.as_bytes()) == Sha256::digest(known.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_comparison() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(same_secret("s3cret", "s3cret"));
        assert!(!same_secret("s3cret", "s3cre"));
    }
}

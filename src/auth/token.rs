//! Session tokens: 256 random bits, shown to the client once, stored only as a
//! SHA-256 hash, so a copy of the database opens no session.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;

/// A new token and the hash to store.
pub fn generate() -> (String, String) {
    let bytes: [u8; 32] = rand::rng().random();
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&token);
    (token, hash)
}

/// Hex SHA-256 of a token.
pub fn hash(token: &str) -> String {
    crate::digest::sha256_hex(token)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_long_random_and_hashed() {
        let (token, hash) = super::generate();
        assert_eq!(token.len(), 43);
        assert_eq!(hash.len(), 64);
        assert_eq!(super::hash(&token), hash);
        assert_ne!(super::generate().0, token);
    }
}

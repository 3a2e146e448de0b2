//! Random secrets (refresh tokens, API tokens, the development JWT key) and their stored hashes.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// `n` random bytes from the operating system, URL-safe base64.
pub fn random(n: usize) -> Result<String, AppError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// The stored form of a high-entropy secret: SHA-256, hex. (Slow hashing is for passwords; a
/// 256-bit random token cannot be guessed, so a fast hash loses nothing and keeps lookups cheap.)
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_secrets_differ() {
        assert_ne!(random(32).unwrap(), random(32).unwrap());
        assert_eq!(random(32).unwrap().len(), 43);
    }

    #[test]
    fn a_digest_is_stable_hex() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

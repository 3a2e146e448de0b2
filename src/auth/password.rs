//! Argon2id password hashes, computed off the async runtime (hashing takes tens of milliseconds
//! of CPU, which would stall every other request on that worker).

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

use crate::error::{AppError, UserError, UserErrorCode};

pub const MIN_LENGTH: usize = 12;

/// At most this many hashes at once: each takes about 19 MiB and a core, so a flood of sign-ins
/// waits its turn instead of exhausting memory and the blocking pool.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);
pub const MAX_LENGTH: usize = 1024;

/// Checks the length rule; the error names the `password` field.
pub fn validate(password: &str) -> Result<(), UserError> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err(UserError::new(
            &["password"],
            UserErrorCode::Invalid,
            format!("the password must have at least {MIN_LENGTH} characters"),
        ));
    }
    if n > MAX_LENGTH {
        return Err(UserError::new(
            &["password"],
            UserErrorCode::Invalid,
            format!("the password must have at most {MAX_LENGTH} characters"),
        ));
    }
    Ok(())
}

/// Hashes a password with a fresh salt.
pub async fn hash(password: String) -> Result<String, AppError> {
    let _turn = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(AppError::internal)?
}

/// Checks a password against a stored hash. With no hash (unknown email) it still spends the
/// time of one verification, so response times do not reveal which emails exist.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let _turn = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let target = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed =
            PasswordHash::new(&target).map_err(|e| AppError::internal(format!("stored hash: {e}")))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && target != DUMMY_HASH)
    })
    .await
    .map_err(AppError::internal)?
}

/// A valid Argon2id hash of a random password nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0DbCBmuP7J3bBxRVyH5m3JNw7PN6Z2ogqLDd8n3pOmk";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_password_is_invalid() {
        assert!(validate("elevenchars").is_err());
        assert!(validate("twelve chars").is_ok());
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse battery".into(), Some(h)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!verify("anything at all".into(), None).await.unwrap());
    }
}

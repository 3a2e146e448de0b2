//! Access tokens: HS256 JWTs with a `kid`, so keys can rotate.
//!
//! The algorithm is pinned in code. `iss`, `aud`, `exp`, `iat` and `sub` are required, `nbf` is
//! checked, the leeway is 10 s, and `typ` must be `access`. The key is picked by `kid` from our
//! own configured keys only; a token naming any other key is refused.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::AppError;

pub const ISSUER: &str = "trapeze";
pub const AUDIENCE: &str = "trapeze-api";
const TYP_ACCESS: &str = "access";
const LEEWAY_SECONDS: u64 = 10;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    exp: i64,
    iat: i64,
    nbf: i64,
    typ: String,
}

struct Key {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Key {
    fn new(secret: &[u8]) -> Self {
        Self {
            kid: key_id(secret),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }
}

/// The `kid` of a secret: a short fingerprint, so configuration needs no separate key names.
pub fn key_id(secret: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(secret)[..9])
}

/// The signing key and the keys still accepted (the current one first).
pub struct JwtKeys {
    keys: Vec<Key>,
    validation: Validation,
}

/// Why a bearer token was refused; never shown to the client, which only sees UNAUTHENTICATED.
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidToken(pub String);

impl JwtKeys {
    /// `current` signs; `previous` keys still verify until they are removed from the settings.
    pub fn new(current: &[u8], previous: &[Vec<u8>]) -> Self {
        let mut keys = vec![Key::new(current)];
        keys.extend(previous.iter().map(|s| Key::new(s)));
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_required_spec_claims(&["iss", "aud", "exp", "sub", "nbf"]);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        Self { keys, validation }
    }

    /// Issues an access token for `user_id`, valid for `ttl`.
    pub fn issue(&self, user_id: Uuid, ttl: Duration) -> Result<(String, DateTime<Utc>), AppError> {
        let key = self
            .keys
            .first()
            .ok_or_else(|| AppError::internal("no signing key"))?;
        let now = Utc::now();
        let expires = now + ttl;
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.to_string(),
            exp: expires.timestamp(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            typ: TYP_ACCESS.into(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key.kid.clone());
        let token =
            encode(&header, &claims, &key.encoding).map_err(|e| AppError::internal(format!("jwt: {e}")))?;
        Ok((token, expires))
    }

    /// Verifies an access token and returns its user id.
    pub fn verify(&self, token: &str) -> Result<Uuid, InvalidToken> {
        let invalid = |why: &str| InvalidToken(why.to_owned());
        let header = decode_header(token).map_err(|e| InvalidToken(format!("header: {e}")))?;
        if header.alg != Algorithm::HS256 {
            return Err(invalid("algorithm is not HS256"));
        }
        let kid = header.kid.ok_or_else(|| invalid("no kid"))?;
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| invalid("unknown kid"))?;
        let data = decode::<Claims>(token, &key.decoding, &self.validation)
            .map_err(|e| InvalidToken(format!("claims: {e}")))?;
        if data.claims.typ != TYP_ACCESS {
            return Err(invalid("typ is not access"));
        }
        // A token issued in the future was not issued by us (jsonwebtoken does not check iat).
        if data.claims.iat > chrono::Utc::now().timestamp() + LEEWAY_SECONDS as i64 {
            return Err(invalid("iat is in the future"));
        }
        Uuid::parse_str(&data.claims.sub).map_err(|_| invalid("sub is not a user id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const OTHER: &[u8] = b"fedcba9876543210fedcba9876543210";

    #[test]
    fn an_issued_token_verifies() {
        let keys = JwtKeys::new(SECRET, &[]);
        let user = Uuid::now_v7();
        let (token, _) = keys.issue(user, Duration::minutes(15)).unwrap();
        assert_eq!(keys.verify(&token), Ok(user));
    }

    #[test]
    fn a_token_of_a_previous_key_verifies_until_that_key_is_removed() {
        let old = JwtKeys::new(OTHER, &[]);
        let (token, _) = old.issue(Uuid::now_v7(), Duration::minutes(15)).unwrap();
        assert!(JwtKeys::new(SECRET, &[OTHER.to_vec()]).verify(&token).is_ok());
        assert!(JwtKeys::new(SECRET, &[]).verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = JwtKeys::new(SECRET, &[]);
        let (token, _) = keys.issue(Uuid::now_v7(), Duration::seconds(-60)).unwrap();
        assert!(keys.verify(&token).is_err());
    }
}

//! Password and client-secret hashing with argon2id (the crate's default parameters).

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// # Errors
/// Only if argon2 rejects its own parameters.
pub fn hash(secret: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `secret` matches the stored hash. A malformed hash never matches.
#[must_use]
pub fn verify(stored: &str, secret: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
}

/// Spends the same time as a real check, for unknown usernames: the response time must not tell
/// whether a username exists.
pub fn verify_against_dummy(secret: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("not-a-real-password-Zz9!").unwrap_or_default());
    let _ = verify(stored, secret);
}

/// A fresh random secret for a department client (256 bits, base64url).
#[must_use]
pub fn random_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

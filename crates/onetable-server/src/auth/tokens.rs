//! Issuing and validating access tokens: JWTs signed with Ed25519 (`alg: EdDSA`).

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::KeyRing;

/// Allowed clock skew when checking `exp`, in seconds.
const LEEWAY_SECONDS: u64 = 30;

/// Who the token was issued to.
pub use onetable_app::SubjectKind;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The username, or the client id of a department system.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub kind: SubjectKind,
    pub role: String,
    /// The region scope, 12 digits; absent for a nationwide auditor.
    pub region: Option<String>,
    pub department: Option<String>,
    /// The account's session generation when the token was issued: a role, scope, password or
    /// enabled change advances it, and the token stops.
    #[serde(default)]
    pub generation: i32,
    /// Browser sessions only: the token every unsafe request authenticated by the cookie carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf: Option<String>,
    /// The person must choose a new password first: the token opens only the change, who-am-I
    /// and signing out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub password_change_required: bool,
}

#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("no signing key")]
    NoKey,
    #[error("cannot sign: {0}")]
    Sign(String),
    #[error("malformed token")]
    Malformed,
    #[error("unknown key id")]
    UnknownKey,
    #[error("invalid token: {0}")]
    Invalid(String),
}

/// Signs `claims` with the newest key.
///
/// # Errors
/// When there is no key or signing fails.
pub fn issue(keys: &KeyRing, claims: &Claims) -> Result<String, TokenError> {
    keys.with_signing_key(|key| {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding).map_err(|e| TokenError::Sign(e.to_string()))
    })
    .ok_or(TokenError::NoKey)?
}

/// The key id a token names, before any check (to know whether the key ring needs a reload).
///
/// # Errors
/// When the header is unreadable or names no key.
pub fn key_id(token: &str) -> Result<String, TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
    header.kid.ok_or(TokenError::UnknownKey)
}

/// Validates signature, algorithm (EdDSA only), `iss`, `aud` and `exp`.
///
/// # Errors
/// On any failed check.
pub fn validate(keys: &KeyRing, settings: &TokenSettings, token: &str) -> Result<Claims, TokenError> {
    let kid = key_id(token)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.algorithms = vec![Algorithm::EdDSA];
    validation.set_issuer(&[&settings.issuer]);
    validation.set_audience(&[&settings.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECONDS;
    keys.with_key(&kid, |key| jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation))
        .ok_or(TokenError::UnknownKey)?
        .map(|data| data.claims)
        .map_err(|e| TokenError::Invalid(e.to_string()))
}

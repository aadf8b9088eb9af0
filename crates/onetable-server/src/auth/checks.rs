//! Recent answers to "is this token still good?" (not revoked, its account not disabled). A burst
//! of requests with one token then asks the database once a second instead of every time. Changes
//! made through this server (logout, disabling an account) clear it at once; changes made by another
//! process (the CLI) are seen within [`TOKEN_CHECK_TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a positive check is trusted.
pub const TOKEN_CHECK_TTL: Duration = Duration::from_secs(1);
/// Above this many remembered tokens, stale ones are dropped.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Default)]
pub struct TokenChecks {
    checked: Mutex<HashMap<String, Instant>>,
}

impl TokenChecks {
    /// Whether the token `jti` was found good less than [`TOKEN_CHECK_TTL`] ago.
    #[must_use]
    pub fn fresh(&self, jti: &str) -> bool {
        let checked = self.checked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        checked.get(jti).is_some_and(|at| at.elapsed() < TOKEN_CHECK_TTL)
    }

    pub fn remember(&self, jti: &str) {
        let mut checked = self.checked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if checked.len() >= PRUNE_AT {
            checked.retain(|_, at| at.elapsed() < TOKEN_CHECK_TTL);
        }
        checked.insert(jti.to_owned(), Instant::now());
    }

    /// After a logout or an account change: every token is checked again.
    pub fn forget_all(&self) {
        self.checked.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// Tokens whose signature and claims were verified less than [`TOKEN_CHECK_TTL`] ago, by their
/// exact text: verifying an Ed25519 signature was the largest cost of an authenticated request
/// after the database. Only a byte-identical token hits; expiry is still checked on every use.
#[derive(Debug, Default)]
pub struct VerifiedTokens {
    verified: Mutex<HashMap<String, (crate::auth::tokens::Claims, Instant)>>,
}

impl VerifiedTokens {
    /// The claims of `token` if it was verified recently and has not expired.
    #[must_use]
    pub fn get(&self, token: &str) -> Option<crate::auth::tokens::Claims> {
        let verified = self.verified.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (claims, at) = verified.get(token)?;
        (at.elapsed() < TOKEN_CHECK_TTL && chrono::Utc::now().timestamp() < claims.exp).then(|| claims.clone())
    }

    pub fn remember(&self, token: &str, claims: &crate::auth::tokens::Claims) {
        let mut verified = self.verified.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if verified.len() >= PRUNE_AT {
            verified.retain(|_, (_, at)| at.elapsed() < TOKEN_CHECK_TTL);
        }
        verified.insert(token.to_owned(), (claims.clone(), Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::tokens::{Claims, SubjectKind};

    fn claims(exp: i64) -> Claims {
        Claims {
            iss: "onetable".into(),
            aud: "onetable-api".into(),
            sub: "clerk".into(),
            exp,
            iat: exp - 3600,
            jti: "j1".into(),
            kind: SubjectKind::User,
            role: "clerk".into(),
            region: None,
            department: None,
            csrf: None,
            generation: 0,
            password_change_required: false,
        }
    }

    #[test]
    fn only_the_same_unexpired_token_is_taken_from_the_cache() {
        let cache = VerifiedTokens::default();
        let now = chrono::Utc::now().timestamp();
        cache.remember("a.b.c", &claims(now + 600));
        cache.remember("x.y.z", &claims(now - 1));
        assert_eq!(cache.get("a.b.c").map(|c| c.sub), Some("clerk".to_owned()));
        assert!(cache.get("a.b.d").is_none(), "another token text is verified afresh");
        assert!(cache.get("x.y.z").is_none(), "an expired token is never served from the cache");
    }
}

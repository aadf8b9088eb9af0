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

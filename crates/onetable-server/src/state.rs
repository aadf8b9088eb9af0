//! What every handler shares: the application (use cases, pool, caches) and what only HTTP needs
//! (signing keys, token checks, the login rate limit).

use std::sync::Arc;

use onetable_app::{App, Problem};
use onetable_store::DbConn;

use crate::auth::keys::KeyRing;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::tokens::{self, Claims, TokenError, TokenSettings};
use crate::error::ApiError;

/// Token lifetimes and lockout policy, from the settings.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    pub tokens: TokenSettings,
    pub user_token_seconds: i64,
    pub client_token_seconds: i64,
    pub lockout_attempts: i32,
    pub lockout_seconds: i64,
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub policy: Arc<AuthPolicy>,
    pub keys: Arc<KeyRing>,
    pub login_limiter: Arc<RateLimiter>,
    /// Wrong `/metrics` tokens per client address per minute.
    pub metrics_limiter: Arc<RateLimiter>,
    /// Largest import body, in bytes.
    pub import_max_bytes: usize,
    pub token_checks: Arc<crate::auth::checks::TokenChecks>,
    pub verified_tokens: Arc<crate::auth::checks::VerifiedTokens>,
    /// The bearer token of `/metrics` scrapes; none: no `/metrics`.
    pub metrics_token: Option<Arc<str>>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl AppState {
    /// [`App::run`] for a handler's own store work (its errors are the API's).
    ///
    /// # Errors
    /// Whatever `work` returns, or a problem when no connection can be had.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        Ok(self.app.run(move |conn| work(conn).map_err(Problem::from)).await?)
    }

    /// # Errors
    /// When the token fails any check.
    pub fn validate_token(&self, token: &str) -> Result<Claims, TokenError> {
        if let Some(claims) = self.verified_tokens.get(token) {
            return Ok(claims);
        }
        let claims = tokens::validate(&self.keys, &self.policy.tokens, token)?;
        self.verified_tokens.remember(token, &claims);
        Ok(claims)
    }
}

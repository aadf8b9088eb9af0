//! What every handler shares.

use std::sync::Arc;

use actix_web::web;
use onetable_store::audit::{self, NewAuditEvent};
use onetable_store::{Db, DbConn};

use crate::auth::keys::KeyRing;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::tokens::{self, Claims, TokenError, TokenSettings};
use crate::auth::Caller;
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
    pub db: Db,
    pub policy: Arc<AuthPolicy>,
    pub keys: Arc<KeyRing>,
    pub login_limiter: Arc<RateLimiter>,
    /// Largest import body, in bytes.
    pub import_max_bytes: usize,
    /// What an uploaded table may cost to read.
    pub table_limits: crate::imports::Limits,
    pub forms: Arc<crate::entries::FormCache>,
    pub analytics: Arc<crate::analytics::Analytics>,
    pub token_checks: Arc<crate::auth::checks::TokenChecks>,
    pub verified_tokens: Arc<crate::auth::checks::VerifiedTokens>,
    /// SQLite only: this process's writes, batched on one writer thread.
    pub writer: Option<Arc<crate::group_commit::GroupCommit>>,
}

impl AppState {
    /// Runs blocking store work on actix's blocking pool with a pooled connection.
    ///
    /// # Errors
    /// Whatever `work` returns, or an internal error when no connection can be had.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || {
            let mut conn = db.conn()?;
            work(&mut conn)
        })
        .await?
    }

    /// As [`AppState::run`], for work that writes: all of it in one transaction (a savepoint of a
    /// group commit on SQLite, see [`crate::group_commit`]), rolled back when `work` fails.
    ///
    /// # Errors
    /// Whatever `work` returns, or an internal error when no connection can be had.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if let Some(writer) = &self.writer {
            return writer.run(work).await;
        }
        let db = self.db.clone();
        web::block(move || {
            let _turn = db.lock_writes();
            let mut conn = db.conn()?;
            onetable_store::connection::transaction(&mut conn, |conn| {
                // On SQLite, hold the write lock before the first read (see `begin_write`).
                onetable_store::imports::begin_write(conn)?;
                work(conn)
            })
        })
        .await?
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

    /// Appends an audit event. A failure to record is an internal error: an action that cannot be
    /// audited must not appear to succeed.
    ///
    /// # Errors
    /// On a database error.
    pub async fn audit(&self, event: NewAuditEvent) -> Result<(), ApiError> {
        self.run(move |conn| Ok(audit::record(conn, &event)?)).await
    }

    /// Passes `decision` through, recording a denial in the audit trail when it is an error.
    ///
    /// # Errors
    /// `decision`'s error.
    pub async fn authorize(
        &self,
        caller: &Caller,
        action: &str,
        target: Option<String>,
        decision: Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        if let Err(denied) = decision {
            let mut event = caller.event(action, target, "denied");
            event.detail = Some(denied.code().to_owned());
            self.audit(event).await?;
            return Err(denied);
        }
        Ok(())
    }
}

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
    pub forms: Arc<crate::entries::FormCache>,
    pub analytics: Arc<crate::analytics::Analytics>,
    pub token_checks: Arc<crate::auth::checks::TokenChecks>,
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

    /// As [`AppState::run`], for work that writes: on SQLite, writers of this process take turns.
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
            work(&mut conn)
        })
        .await?
    }

    /// # Errors
    /// When the token fails any check.
    pub fn validate_token(&self, token: &str) -> Result<Claims, TokenError> {
        tokens::validate(&self.keys, &self.policy.tokens, token)
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

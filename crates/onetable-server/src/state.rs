//! What every handler shares.

use actix_web::web;
use onetable_store::{Db, DbConn};

use crate::error::ApiError;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
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
}

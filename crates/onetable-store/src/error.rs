use crate::url::DatabaseUrlError;

/// Everything that can go wrong talking to the store. None of these is the caller's fault, except
/// where a variant says so; the server maps them to 500 and logs them.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Url(#[from] DatabaseUrlError),
    #[error("cannot open a database connection: {0}")]
    Pool(#[from] r2d2::Error),
    /// No connection could be had in time: the database is down or unreachable (503, not 500).
    #[error("database unavailable: {0}")]
    Unavailable(r2d2::Error),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("no free server-process number for Idempotency-Key claims")]
    NoHolderNumber,
    #[error("cannot prepare the SQLite file {path}: {source}")]
    SqliteFile { path: String, source: std::io::Error },
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Whether the database could not be reached (an outage), rather than a fault in a query.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Unavailable(_) | Self::Pool(_) | Self::Connect(_) => true,
            Self::Query(e) => is_connection_lost(e),
            _ => false,
        }
    }
}

/// Whether a query failed because the connection went away under it.
#[must_use]
pub fn is_connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => true,
        Error::DatabaseError(_, info) => {
            // libpq's words for a server that went away mid-query, or a database closed to connections.
            let m = info.message();
            m.contains("terminating connection")
                || m.contains("server closed the connection")
                || m.contains("no connection to the server")
        }
        _ => false,
    }
}

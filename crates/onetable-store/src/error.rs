use crate::url::DatabaseUrlError;

/// Everything that can go wrong talking to the store. None of these is the caller's fault, except
/// where a variant says so; the server maps them to 500 and logs them.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Url(#[from] DatabaseUrlError),
    #[error("cannot open a database connection: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("cannot prepare the SQLite file {path}: {source}")]
    SqliteFile { path: String, source: std::io::Error },
}

pub type StoreResult<T> = Result<T, StoreError>;

//! onetable's system of record: the diesel schema, row types, queries and embedded migrations,
//! on SQLite (the embedded default) and PostgreSQL.

pub mod audit;
pub mod connection;
pub mod cube_source;
pub mod divisions;
pub mod entries;
pub mod error;
pub mod identity;
pub mod imports;
pub mod models;
pub mod regions;
pub mod registry;
pub mod schema;
pub mod seed;
pub mod sharing;
pub mod url;
pub mod write_statements;

pub use connection::{Db, DbConn, PooledConn};
pub use error::{StoreError, StoreResult};
pub use url::{Backend, DatabaseUrl, DatabaseUrlError};

/// diesel's error types, for callers that must tell a unique violation from a fault.
pub mod diesel_error {
    pub use diesel::result::{DatabaseErrorKind, Error};
}

//! onetable's system of record: the diesel schema, row types, queries and embedded migrations,
//! on SQLite (the embedded default) and PostgreSQL.
//!
//! Single-row lookups use `get_result`, never diesel's `first`: `first` adds `LIMIT ?`, and SQLite
//! (3.4x and later) re-prepares a statement whose LIMIT is a bound parameter every time that
//! parameter is bound again, so every `first` parsed and planned its query afresh (~117,000
//! instructions for a primary-key lookup, measured with callgrind; 15 % of a PATCH in the writer).

pub mod audit;
pub mod backup;
pub mod cells;
pub mod cleanups;
pub mod client_rotation;
pub mod connection;
pub mod cube_source;
pub mod dashboards;
pub mod deadlines;
pub mod divisions;
pub mod entries;
pub mod error;
pub mod follow_ups;
pub mod idempotency;
pub mod identity;
pub mod models;
pub mod password_history;
pub mod proposals;
pub mod regions;
pub mod registers;
pub mod registry;
pub mod reminders;
pub mod schema;
pub mod seed;
pub mod sharing;
pub mod subscriptions;
pub mod supplies;
pub mod supply_discrepancies;
pub mod templates;
pub mod url;
pub mod write_statements;

pub use connection::{Db, DbConn, PoolState, PooledConn};
pub use error::{StoreError, StoreResult};
pub use url::{Backend, DatabaseUrl, DatabaseUrlError};

/// diesel's error types, for callers that must tell a unique violation from a fault.
pub mod diesel_error {
    pub use diesel::result::{DatabaseErrorKind, Error};
}

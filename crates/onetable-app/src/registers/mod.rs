//! Registers (台账): the lists behind the counts, kept once by the village. Register types live
//! in the registry ([`types`]); records are kept by the village's clerk ([`records`]), with
//! sensitive values sealed ([`sealing`]); the indicators that count them are kept live in the
//! village's entry ([`derived`]).

pub mod confirm;
pub mod derived;
pub mod duplicates;
pub mod groups;
pub mod import;
pub mod listing;
pub mod person_export;
pub mod record_close;
pub mod record_view;
mod record_write;
pub mod records;
pub mod sealing;
pub mod type_versions;
pub mod types;

use std::collections::BTreeMap;

use onetable_core::register::RegisterDef;
use onetable_core::Role;
use onetable_store::registers::{self as store, RegisterRow};
use onetable_store::DbConn;

use crate::problem::Problem;

/// Roles that see a village's records: its clerk and the reviewers over it (masked).
pub const RECORD_READERS: [Role; 2] = [Role::Clerk, Role::Reviewer];

/// Roles that keep a village's records: its clerk.
pub const RECORD_KEEPERS: [Role; 1] = [Role::Clerk];

/// The 404 of an unknown register.
#[must_use]
pub fn register_not_found(code: &str) -> Problem {
    Problem::not_found("register_not_found", format!("台账 {code} 不存在"))
}

/// A stored row's definition.
///
/// # Errors
/// 500 for a row whose JSON no longer reads (a corrupt row).
pub fn def_of(row: &RegisterRow) -> Result<RegisterDef, Problem> {
    #[derive(serde::Deserialize)]
    struct Stored {
        #[serde(default)]
        description: String,
        columns: Vec<onetable_core::register::ColumnDef>,
        key: Vec<String>,
    }
    let stored: Stored = serde_json::from_str(&row.definition).map_err(Problem::internal)?;
    Ok(RegisterDef {
        code: row.code.clone(),
        name: row.name.clone(),
        unit: row
            .unit
            .parse()
            .map_err(|_| Problem::internal(format!("register {} has unit {}", row.code, row.unit)))?,
        description: stored.description,
        columns: stored.columns,
        key: stored.key,
    })
}

/// The latest definition of every active register.
///
/// # Errors
/// On a database error or a corrupt row.
pub fn current(conn: &mut DbConn) -> Result<BTreeMap<String, RegisterDef>, Problem> {
    store::current(conn)?
        .into_values()
        .filter(|row| row.status == "active")
        .map(|row| Ok((row.code.clone(), def_of(&row)?)))
        .collect()
}

/// One active register's definition.
///
/// # Errors
/// 404 when there is none.
pub fn load(conn: &mut DbConn, code: &str) -> Result<RegisterDef, Problem> {
    current(conn)?.remove(code).ok_or_else(|| register_not_found(code))
}

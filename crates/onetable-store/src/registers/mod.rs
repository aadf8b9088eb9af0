//! Registers (台账): the register types (every version kept), their records and each record's
//! history. Values arrive here already checked, sealed and hashed by the app.

pub mod records;
pub mod resealing;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::registers;

/// One version of a register type.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = registers)]
pub struct RegisterRow {
    pub code: String,
    pub version: i32,
    pub name: String,
    pub normalized_name: String,
    pub unit: String,
    /// The columns, the key and the description, as JSON.
    pub definition: String,
    pub status: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub change_note: Option<String>,
}

/// The latest version of every register type, by code.
///
/// # Errors
/// On a database error.
pub fn current(conn: &mut DbConn) -> StoreResult<BTreeMap<String, RegisterRow>> {
    let rows: Vec<RegisterRow> =
        registers::table.order((registers::code, registers::version)).select(RegisterRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(|r| (r.code.clone(), r)).collect())
}

/// Every version of one register type, oldest first.
///
/// # Errors
/// On a database error.
pub fn versions(conn: &mut DbConn, code: &str) -> StoreResult<Vec<RegisterRow>> {
    Ok(registers::table
        .filter(registers::code.eq(code))
        .order(registers::version)
        .select(RegisterRow::as_select())
        .load(conn)?)
}

/// # Errors
/// On a database error (a version already there included).
pub fn insert(conn: &mut DbConn, row: &RegisterRow) -> StoreResult<()> {
    diesel::insert_into(registers::table).values(row).execute(conn)?;
    Ok(())
}

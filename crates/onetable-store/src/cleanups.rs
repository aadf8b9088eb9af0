//! Clean-up runs (报表清理): rows of `form_cleanups`, the counts of each batch of forms analyzed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::form_cleanups as c;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = c)]
pub struct CleanupRow {
    pub run_by: String,
    pub department: Option<String>,
    pub run_at: NaiveDateTime,
    pub forms: i64,
    pub columns_total: i64,
    pub distinct_needs: i64,
    pub in_registry: i64,
    pub new_needs: i64,
}

/// # Errors
/// On a database error.
pub fn insert(conn: &mut DbConn, row: &CleanupRow) -> StoreResult<()> {
    diesel::insert_into(c::table).values(row).execute(conn)?;
    Ok(())
}

/// The latest run, if any.
///
/// # Errors
/// On a database error.
pub fn latest(conn: &mut DbConn) -> StoreResult<Option<CleanupRow>> {
    Ok(c::table.order(c::id.desc()).select(CleanupRow::as_select()).first(conn).optional()?)
}

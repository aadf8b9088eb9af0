//! The cells (data values) of entries: the row type and the bulk reads and writes every writer
//! uses (imports, data entry, the demo, benchmarks). The entries themselves, their events and
//! the audit of their changes are in `entries`, which writes cells through here.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::{insert_batch, DbConn};
use crate::error::StoreResult;
use crate::schema::data_values;

/// One stored cell.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = data_values, treat_none_as_default_value = false)]
pub struct DataValueRow {
    pub region_code: String,
    pub indicator_code: String,
    pub period: String,
    pub value: String,
    pub source: String,
    pub revision: i64,
    pub entered_by: String,
    pub entered_at: NaiveDateTime,
}

/// Stores one cell (the data-entry service will own writes; tests use this directly).
///
/// # Errors
/// On a database error.
pub fn insert_value(conn: &mut DbConn, value: &DataValueRow) -> StoreResult<()> {
    diesel::insert_into(data_values::table).values(value).execute(conn)?;
    Ok(())
}

/// Bind parameters stay under both backends' limits.
pub(crate) const CHUNK: usize = 2_000;
/// Below this, one multi-row INSERT beats COPY's extra round trips.
pub(crate) const COPY_FROM: usize = 500;

/// Stored values of `period` for the given villages.
///
/// # Errors
/// On a database error.
pub fn values_of(conn: &mut DbConn, period: &str, regions: &[String]) -> StoreResult<Vec<DataValueRow>> {
    let mut out = Vec::new();
    for chunk in regions.chunks(CHUNK) {
        out.extend(
            data_values::table
                .filter(data_values::period.eq(period))
                .filter(data_values::region_code.eq_any(chunk))
                .select(DataValueRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Deletes the given cells of one entry (before their new values are inserted).
///
/// # Errors
/// On a database error.
pub fn delete_cells(conn: &mut DbConn, region: &str, period: &str, codes: &[String]) -> StoreResult<()> {
    for chunk in codes.chunks(CHUNK) {
        diesel::delete(
            data_values::table
                .filter(data_values::region_code.eq(region))
                .filter(data_values::period.eq(period))
                .filter(data_values::indicator_code.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// Inserts many cells: binary COPY on PostgreSQL, multi-row INSERTs on SQLite.
///
/// # Errors
/// On a database error (a cell that exists already is a unique violation: delete it first).
pub fn insert_cells(conn: &mut DbConn, rows: &[DataValueRow]) -> StoreResult<()> {
    use diesel::ExecuteCopyFromDsl;
    match conn {
        DbConn::Postgres(pg) if rows.len() >= COPY_FROM => {
            diesel::copy_from(data_values::table).from_insertable(rows).execute(pg)?;
        }
        _ => {
            for chunk in rows.chunks(CHUNK / 8) {
                insert_batch::<_, DataValueRow>(conn, data_values::table, chunk)?;
            }
        }
    }
    Ok(())
}

/// Replaces the given cells of one entry: deletes them, inserts the new rows.
///
/// # Errors
/// On a database error.
pub fn replace_cells(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    codes: &[String],
    rows: &[DataValueRow],
) -> StoreResult<()> {
    delete_cells(conn, region, period, codes)?;
    insert_cells(conn, rows)
}

/// A write that changes nothing, as a transaction's first statement: SQLite then holds the write
/// lock before the transaction reads, so a concurrent writer waits instead of invalidating the
/// read snapshot. Nothing to do on PostgreSQL, whose writers lock rows, not the database.
///
/// # Errors
/// On a database error.
pub fn begin_write(conn: &mut DbConn) -> StoreResult<()> {
    if let DbConn::Sqlite(c) = conn {
        diesel::sql_query("UPDATE entries SET revision = revision WHERE 1 = 0").execute(c)?;
    }
    Ok(())
}

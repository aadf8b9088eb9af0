//! The cells (data values) of entries: the row type and the bulk reads and writes every writer
//! uses (imports, data entry, the demo, benchmarks).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::{insert_batch, DbConn};
use crate::entries::{EntryRow, NewValueAudit};
use crate::error::StoreResult;
use crate::schema::{data_values, entries, value_audit};

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
const CHUNK: usize = 2_000;

/// Entries of `period` for the given villages.
///
/// # Errors
/// On a database error.
pub fn entries_of(conn: &mut DbConn, period: &str, regions: &[String]) -> StoreResult<Vec<EntryRow>> {
    let mut out = Vec::new();
    for chunk in regions.chunks(CHUNK) {
        out.extend(
            entries::table
                .filter(entries::period.eq(period))
                .filter(entries::region_code.eq_any(chunk))
                .select(EntryRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

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

/// Inserts many cells and their audit rows: binary COPY on PostgreSQL, multi-row INSERTs on SQLite.
///
/// # Errors
/// On a database error (a cell that exists already is a unique violation: delete it first).
pub fn insert_cells(conn: &mut DbConn, rows: &[DataValueRow], audit: &[NewValueAudit]) -> StoreResult<()> {
    use diesel::ExecuteCopyFromDsl;
    /// Below this, one multi-row INSERT beats COPY's extra round trips.
    const COPY_FROM: usize = 500;
    match conn {
        DbConn::Postgres(pg) if rows.len() + audit.len() >= COPY_FROM => {
            if !rows.is_empty() {
                diesel::copy_from(data_values::table).from_insertable(rows).execute(pg)?;
            }
            if !audit.is_empty() {
                diesel::copy_from(value_audit::table).from_insertable(audit).execute(pg)?;
            }
        }
        _ => {
            for chunk in rows.chunks(CHUNK / 8) {
                insert_batch::<_, DataValueRow>(conn, data_values::table, chunk)?;
            }
            for chunk in audit.chunks(CHUNK / 10) {
                insert_batch::<_, NewValueAudit>(conn, value_audit::table, chunk)?;
            }
        }
    }
    Ok(())
}

/// Replaces the given cells of one entry: deletes them, inserts the new rows, records the audit.
///
/// # Errors
/// On a database error.
pub fn replace_cells(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    codes: &[String],
    rows: &[DataValueRow],
    audit: &[NewValueAudit],
) -> StoreResult<()> {
    delete_cells(conn, region, period, codes)?;
    insert_cells(conn, rows, audit)
}

/// Creates entries in one go; one created meanwhile by someone else is kept as it is (on SQLite
/// nobody can: the import holds the write lock, see [`begin_write`]).
///
/// # Errors
/// On a database error.
pub fn insert_entries(conn: &mut DbConn, rows: &[EntryRow]) -> StoreResult<()> {
    for chunk in rows.chunks(CHUNK / 6) {
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(entries::table).values(chunk).execute(c)?,
            DbConn::Postgres(c) => {
                diesel::insert_into(entries::table).values(chunk).on_conflict_do_nothing().execute(c)?
            }
        };
    }
    Ok(())
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

/// Raises an existing entry's revision by one.
///
/// # Errors
/// On a database error.
pub fn touch_entry(conn: &mut DbConn, region: &str, period: &str, actor: &str, at: NaiveDateTime) -> StoreResult<()> {
    diesel::update(entries::table.find((region, period)))
        .set((entries::revision.eq(entries::revision + 1), entries::updated_by.eq(actor), entries::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

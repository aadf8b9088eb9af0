//! What a new version of a register type needs of its records: whether there are any (a breaking
//! change is refused over kept records), and moving values between plain and sealed storage when
//! a column's protection is raised.

use diesel::prelude::*;

use super::records::RecordRow;
use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::register_records;

/// Whether any village keeps a record of `register` (closed ones count: they are kept too).
///
/// # Errors
/// On a database error.
pub fn has_records(conn: &mut DbConn, register: &str) -> StoreResult<bool> {
    let found: Option<i64> = register_records::table
        .filter(register_records::register_code.eq(register))
        .select(register_records::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Up to `limit` records of `register` with an id above `after`, by id: a bounded page of a
/// walk through every village's records.
///
/// # Errors
/// On a database error.
pub fn page(conn: &mut DbConn, register: &str, after: i64, limit: i64) -> StoreResult<Vec<RecordRow>> {
    Ok(register_records::table
        .filter(register_records::register_code.eq(register))
        .filter(register_records::id.gt(after))
        .order(register_records::id)
        .limit(limit)
        .select(RecordRow::as_select())
        .load(conn)?)
}

/// Stores a record's values split anew between plain and sealed; the values themselves (and so
/// the revision) do not change.
///
/// # Errors
/// On a database error.
pub fn reseal(conn: &mut DbConn, id: i64, plain: &str, sealed: &str) -> StoreResult<()> {
    diesel::update(register_records::table.find(id))
        .set((register_records::plain.eq(plain), register_records::sealed.eq(sealed)))
        .execute(conn)?;
    Ok(())
}

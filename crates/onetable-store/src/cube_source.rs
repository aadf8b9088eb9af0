//! What the analytics cube is built from: villages, region names, one period's entries and values.
//! Values are streamed, never held as rows: a national period has tens of millions.

use chrono::NaiveDateTime;
use diesel::pg::PgRowByRowLoadingMode;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{data_values, entries, regions};

/// Codes of the villages in force (not retired).
///
/// # Errors
/// On a database error.
pub fn current_villages(conn: &mut DbConn) -> StoreResult<Vec<String>> {
    Ok(regions::table
        .filter(regions::level.eq(5))
        .filter(regions::valid_to.is_null())
        .select(regions::code)
        .load(conn)?)
}

/// (code, name) of every region in force.
///
/// # Errors
/// On a database error.
pub fn current_names(conn: &mut DbConn) -> StoreResult<Vec<(String, String)>> {
    Ok(regions::table.filter(regions::valid_to.is_null()).select((regions::code, regions::name)).load(conn)?)
}

/// (village, status, updated_at) of every entry of `period`.
///
/// # Errors
/// On a database error.
pub fn period_entries(conn: &mut DbConn, period: &str) -> StoreResult<Vec<(String, String, NaiveDateTime)>> {
    Ok(entries::table
        .filter(entries::period.eq(period))
        .select((entries::region_code, entries::status, entries::updated_at))
        .load(conn)?)
}

/// Calls `each(village, indicator, value)` for every stored value of `period`.
///
/// # Errors
/// On a database error.
pub fn for_each_value(conn: &mut DbConn, period: &str, mut each: impl FnMut(&str, &str, &str)) -> StoreResult<()> {
    let query = data_values::table.filter(data_values::period.eq(period)).select((
        data_values::region_code,
        data_values::indicator_code,
        data_values::value,
    ));
    match conn {
        DbConn::Sqlite(c) => {
            for row in query.load_iter::<(String, String, String), diesel::connection::DefaultLoadingMode>(c)? {
                let (village, indicator, value) = row?;
                each(&village, &indicator, &value);
            }
        }
        DbConn::Postgres(c) => {
            for row in query.load_iter::<(String, String, String), PgRowByRowLoadingMode>(c)? {
                let (village, indicator, value) = row?;
                each(&village, &indicator, &value);
            }
        }
    }
    Ok(())
}

/// Villages whose entry for `period` changed after `since`, with the latest change time.
///
/// # Errors
/// On a database error.
pub fn changed_since(
    conn: &mut DbConn,
    period: &str,
    since: NaiveDateTime,
) -> StoreResult<Vec<(String, NaiveDateTime)>> {
    Ok(entries::table
        .filter(entries::period.eq(period))
        .filter(entries::updated_at.gt(since))
        .select((entries::region_code, entries::updated_at))
        .load(conn)?)
}

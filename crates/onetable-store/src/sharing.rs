//! Data requests (报表准入) and the access log of every pull.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{access_log, data_requests};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = data_requests)]
pub struct DataRequestRow {
    pub id: i64,
    pub title: String,
    pub purpose: String,
    pub legal_basis: String,
    pub department: String,
    pub requested_by: String,
    pub region_code: String,
    /// Comma-separated indicator codes.
    pub indicators: String,
    /// Comma-separated periods, or `None` with `frequency` and `start_period`.
    pub periods: Option<String>,
    pub frequency: Option<String>,
    pub start_period: Option<String>,
    pub expires_at: NaiveDateTime,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
    pub created_at: NaiveDateTime,
    /// Registers (台账) and their columns, `[{code, columns}]` as JSON.
    pub registers: Option<String>,
    /// The department asked for the records' full values (not masked).
    pub full_values_asked: bool,
    /// The admin granted them.
    pub full_values: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = data_requests)]
pub struct NewDataRequest {
    pub title: String,
    pub purpose: String,
    pub legal_basis: String,
    pub department: String,
    pub requested_by: String,
    pub region_code: String,
    pub indicators: String,
    pub periods: Option<String>,
    pub frequency: Option<String>,
    pub start_period: Option<String>,
    pub expires_at: NaiveDateTime,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub registers: Option<String>,
    pub full_values_asked: bool,
}

/// # Errors
/// On a database error.
pub fn insert(conn: &mut DbConn, row: &NewDataRequest) -> StoreResult<DataRequestRow> {
    let query = diesel::insert_into(data_requests::table).values(row);
    Ok(match conn {
        DbConn::Sqlite(c) => query.returning(DataRequestRow::as_returning()).get_result(c)?,
        DbConn::Postgres(c) => query.returning(DataRequestRow::as_returning()).get_result(c)?,
    })
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<DataRequestRow>> {
    Ok(data_requests::table.find(id).select(DataRequestRow::as_select()).get_result(conn).optional()?)
}

/// Which requests a listing covers.
#[derive(Debug, Clone)]
pub enum RequestScope {
    /// A department sees its own.
    Department(String),
    /// An admin sees those whose region lies inside (or contains) its scope: codes between
    /// `low` and `high`, or one of `ancestors`.
    Region { low: String, high: String, ancestors: Vec<String> },
}

/// Requests in the scope, newest first, optionally of one status.
///
/// # Errors
/// On a database error.
pub fn list(
    conn: &mut DbConn,
    scope: &RequestScope,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<DataRequestRow>, i64)> {
    let filtered = || {
        let mut query = data_requests::table.into_boxed();
        query = match scope {
            RequestScope::Department(department) => query.filter(data_requests::department.eq(department.clone())),
            RequestScope::Region { low, high, ancestors } => query.filter(
                data_requests::region_code
                    .between(low.clone(), high.clone())
                    .or(data_requests::region_code.eq_any(ancestors.clone())),
            ),
        };
        if let Some(status) = status {
            query = query.filter(data_requests::status.eq(status.to_owned()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order(data_requests::id.desc())
        .limit(limit)
        .offset(offset)
        .select(DataRequestRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Moves a request from `from` to `to`, recording who decided and why. `Ok(false)`: it was not in
/// state `from` (someone else decided first).
///
/// # Errors
/// On a database error.
pub fn decide(
    conn: &mut DbConn,
    id: i64,
    from: &str,
    to: &str,
    by: &str,
    reason: Option<&str>,
    at: NaiveDateTime,
) -> StoreResult<bool> {
    let updated = diesel::update(data_requests::table.find(id).filter(data_requests::status.eq(from)))
        .set((
            data_requests::status.eq(to),
            data_requests::decided_by.eq(by),
            data_requests::decided_at.eq(at),
            data_requests::decision_reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Grants the full values of the registers a request names (an admin's approval said so).
///
/// # Errors
/// On a database error.
pub fn grant_full_values(conn: &mut DbConn, id: i64) -> StoreResult<()> {
    diesel::update(data_requests::table.find(id)).set(data_requests::full_values.eq(true)).execute(conn)?;
    Ok(())
}

/// Approved requests not yet expired at `now` whose region overlaps the given one (same bounds
/// as [`RequestScope::Region`]).
///
/// # Errors
/// On a database error.
pub fn active(
    conn: &mut DbConn,
    low: &str,
    high: &str,
    ancestors: &[String],
    now: NaiveDateTime,
) -> StoreResult<Vec<DataRequestRow>> {
    Ok(data_requests::table
        .filter(data_requests::status.eq("approved"))
        .filter(data_requests::expires_at.gt(now))
        .filter(data_requests::region_code.between(low, high).or(data_requests::region_code.eq_any(ancestors)))
        .select(DataRequestRow::as_select())
        .load(conn)?)
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = access_log)]
pub struct NewAccess {
    pub occurred_at: NaiveDateTime,
    pub request_id: i64,
    pub department: String,
    pub caller: String,
    /// The region pulled (the request's, or a narrower one the caller asked for).
    pub region_code: String,
    pub level: String,
    pub period: String,
    pub indicators: String,
    pub row_count: i64,
    pub format: String,
}

/// # Errors
/// On a database error.
pub fn log_access(conn: &mut DbConn, row: &NewAccess) -> StoreResult<()> {
    diesel::insert_into(access_log::table).values(row).execute(conn)?;
    Ok(())
}

/// Pulls whose region is one of `regions` (a village and its ancestors: every pull that covered it).
///
/// # Errors
/// On a database error.
pub fn accesses_covering(conn: &mut DbConn, regions: &[String]) -> StoreResult<Vec<NewAccess>> {
    Ok(access_log::table
        .filter(access_log::region_code.eq_any(regions))
        .order(access_log::occurred_at.desc())
        .select(NewAccess::as_select())
        .load(conn)?)
}

/// Pulls since `since` whose region lies inside or contains the given one.
///
/// # Errors
/// On a database error.
pub fn accesses_since(
    conn: &mut DbConn,
    low: &str,
    high: &str,
    ancestors: &[String],
    since: NaiveDateTime,
) -> StoreResult<Vec<NewAccess>> {
    Ok(access_log::table
        .filter(access_log::occurred_at.ge(since))
        .filter(access_log::region_code.between(low, high).or(access_log::region_code.eq_any(ancestors)))
        .select(NewAccess::as_select())
        .load(conn)?)
}

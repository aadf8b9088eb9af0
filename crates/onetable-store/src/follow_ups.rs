//! Follow-ups (跟进): values a reviewer marked to be checked, open until changed or closed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::follow_ups;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = follow_ups)]
pub struct FollowUpRow {
    pub id: i64,
    pub region_code: String,
    pub period: String,
    pub indicator_code: String,
    /// The value when it was marked.
    pub value: Option<String>,
    pub note: String,
    /// `open`, `resolved` (the value changed) or `closed` (with a reason).
    pub status: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolution: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = follow_ups)]
pub struct NewFollowUp<'a> {
    pub region_code: &'a str,
    pub period: &'a str,
    pub indicator_code: &'a str,
    pub value: Option<&'a str>,
    pub note: &'a str,
    pub status: &'a str,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
}

/// # Errors
/// On a database error.
pub fn insert(conn: &mut DbConn, row: &NewFollowUp<'_>) -> StoreResult<FollowUpRow> {
    let query = diesel::insert_into(follow_ups::table).values(row);
    Ok(match conn {
        DbConn::Sqlite(c) => query.returning(FollowUpRow::as_returning()).get_result(c)?,
        DbConn::Postgres(c) => query.returning(FollowUpRow::as_returning()).get_result(c)?,
    })
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<FollowUpRow>> {
    Ok(follow_ups::table.find(id).select(FollowUpRow::as_select()).get_result(conn).optional()?)
}

/// The open follow-up of a cell, if any.
///
/// # Errors
/// On a database error.
pub fn open_of_cell(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    indicator: &str,
) -> StoreResult<Option<FollowUpRow>> {
    Ok(follow_ups::table
        .filter(follow_ups::region_code.eq(region))
        .filter(follow_ups::period.eq(period))
        .filter(follow_ups::indicator_code.eq(indicator))
        .filter(follow_ups::status.eq("open"))
        .select(FollowUpRow::as_select())
        .first(conn)
        .optional()?)
}

/// Follow-ups of the villages with codes between `low` and `high` (a region's descendants), of
/// one period if given, open only or all; newest first, at most `limit`.
///
/// # Errors
/// On a database error.
pub fn list(
    conn: &mut DbConn,
    (low, high): (&str, &str),
    period: Option<&str>,
    open_only: bool,
    limit: i64,
) -> StoreResult<Vec<FollowUpRow>> {
    let mut query = follow_ups::table.filter(follow_ups::region_code.between(low, high)).into_boxed();
    if let Some(period) = period {
        query = query.filter(follow_ups::period.eq(period.to_owned()));
    }
    if open_only {
        query = query.filter(follow_ups::status.eq("open"));
    }
    Ok(query.order(follow_ups::id.desc()).limit(limit).select(FollowUpRow::as_select()).load(conn)?)
}

/// Ends an open follow-up; `false` when it was not open.
///
/// # Errors
/// On a database error.
pub fn end(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    by: &str,
    at: NaiveDateTime,
    resolution: &str,
) -> StoreResult<bool> {
    let changed = diesel::update(follow_ups::table.find(id).filter(follow_ups::status.eq("open")))
        .set((
            follow_ups::status.eq(status),
            follow_ups::resolved_by.eq(Some(by)),
            follow_ups::resolved_at.eq(Some(at)),
            follow_ups::resolution.eq(Some(resolution)),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// The open follow-ups of some cells of one entry.
///
/// # Errors
/// On a database error.
pub fn open_of_cells(conn: &mut DbConn, region: &str, period: &str, codes: &[String]) -> StoreResult<Vec<FollowUpRow>> {
    Ok(follow_ups::table
        .filter(follow_ups::region_code.eq(region))
        .filter(follow_ups::period.eq(period))
        .filter(follow_ups::indicator_code.eq_any(codes))
        .filter(follow_ups::status.eq("open"))
        .select(FollowUpRow::as_select())
        .load(conn)?)
}

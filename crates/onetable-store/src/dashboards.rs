//! Saved dashboards (看板): rows of `dashboards`; what they hold is the application's to check.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::dashboards;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dashboards)]
pub struct DashboardRow {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    /// The items, as JSON.
    pub items: String,
    pub shared: bool,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// What an admin writes: a new dashboard, or the new content of one.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = dashboards)]
pub struct DashboardContent {
    pub name: String,
    pub region_code: String,
    pub items: String,
    pub shared: bool,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// # Errors
/// On a database error.
pub fn insert(conn: &mut DbConn, content: &DashboardContent) -> StoreResult<DashboardRow> {
    let query = diesel::insert_into(dashboards::table).values((
        content,
        dashboards::created_by.eq(&content.updated_by),
        dashboards::created_at.eq(content.updated_at),
    ));
    Ok(match conn {
        DbConn::Sqlite(c) => query.returning(DashboardRow::as_returning()).get_result(c)?,
        DbConn::Postgres(c) => query.returning(DashboardRow::as_returning()).get_result(c)?,
    })
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<DashboardRow>> {
    Ok(dashboards::table.find(id).select(DashboardRow::as_select()).get_result(conn).optional()?)
}

/// Every dashboard whose region is one of `regions` (a scope and the regions above or below it,
/// as the caller picks them), newest first.
///
/// # Errors
/// On a database error.
pub fn of_regions(conn: &mut DbConn, low: &str, high: &str) -> StoreResult<Vec<DashboardRow>> {
    Ok(dashboards::table
        .filter(dashboards::region_code.ge(low))
        .filter(dashboards::region_code.le(high))
        .order(dashboards::id.desc())
        .select(DashboardRow::as_select())
        .load(conn)?)
}

/// Replaces a dashboard's content; `false` when there is no such dashboard.
///
/// # Errors
/// On a database error.
pub fn update(conn: &mut DbConn, id: i64, content: &DashboardContent) -> StoreResult<bool> {
    Ok(diesel::update(dashboards::table.find(id)).set(content).execute(conn)? == 1)
}

/// # Errors
/// On a database error.
pub fn delete(conn: &mut DbConn, id: i64) -> StoreResult<bool> {
    Ok(diesel::delete(dashboards::table.find(id)).execute(conn)? == 1)
}

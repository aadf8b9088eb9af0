//! Report templates (报表模板): rows of `report_templates`; the definition is JSON the application
//! writes and reads.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::report_templates as t;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = t)]
pub struct TemplateRow {
    pub id: i64,
    pub department: String,
    pub name: String,
    pub definition: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = t)]
pub struct NewTemplate {
    pub department: String,
    pub name: String,
    pub definition: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// # Errors
/// On a database error.
pub fn insert(conn: &mut DbConn, new: &NewTemplate) -> StoreResult<TemplateRow> {
    let query = diesel::insert_into(t::table).values(new);
    Ok(match conn {
        DbConn::Sqlite(c) => query.returning(TemplateRow::as_returning()).get_result(c)?,
        DbConn::Postgres(c) => query.returning(TemplateRow::as_returning()).get_result(c)?,
    })
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<TemplateRow>> {
    Ok(t::table.find(id).select(TemplateRow::as_select()).get_result(conn).optional()?)
}

/// A department's templates (every department's with none), newest first.
///
/// # Errors
/// On a database error.
pub fn list(conn: &mut DbConn, department: Option<&str>) -> StoreResult<Vec<TemplateRow>> {
    let mut query = t::table.into_boxed();
    if let Some(department) = department {
        query = query.filter(t::department.eq(department.to_owned()));
    }
    Ok(query.order(t::id.desc()).select(TemplateRow::as_select()).load(conn)?)
}

/// `false` when there was no such template.
///
/// # Errors
/// On a database error.
pub fn delete(conn: &mut DbConn, id: i64) -> StoreResult<bool> {
    Ok(diesel::delete(t::table.find(id)).execute(conn)? == 1)
}

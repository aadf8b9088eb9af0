//! Due dates set by counties, prefectures and provinces (报送截止日期), and when each village first
//! submitted a period's form — what timeliness is computed from.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{deadlines, entry_events};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = deadlines)]
pub struct DeadlineRow {
    pub region_code: String,
    /// A frequency (a standing rule) or a period (that period only).
    pub applies_to: String,
    pub days_after: Option<i32>,
    pub due_date: Option<NaiveDate>,
    pub set_by: String,
    pub set_at: NaiveDateTime,
}

/// The deadlines set at any of `regions` for any of `applies_to`.
///
/// # Errors
/// On a database error.
pub fn set_at(conn: &mut DbConn, regions: &[String], applies_to: &[String]) -> StoreResult<Vec<DeadlineRow>> {
    Ok(deadlines::table
        .filter(deadlines::region_code.eq_any(regions))
        .filter(deadlines::applies_to.eq_any(applies_to))
        .select(DeadlineRow::as_select())
        .load(conn)?)
}

/// Every deadline set inside the code range `[low, high]`.
///
/// # Errors
/// On a database error.
pub fn within(conn: &mut DbConn, low: &str, high: &str) -> StoreResult<Vec<DeadlineRow>> {
    Ok(deadlines::table
        .filter(deadlines::region_code.ge(low))
        .filter(deadlines::region_code.le(high))
        .order((deadlines::region_code, deadlines::applies_to))
        .select(DeadlineRow::as_select())
        .load(conn)?)
}

/// Sets (or replaces) a deadline.
///
/// # Errors
/// On a database error.
pub fn put(conn: &mut DbConn, row: &DeadlineRow) -> StoreResult<()> {
    let existing = deadlines::table.find((&row.region_code, &row.applies_to)).count().get_result::<i64>(conn)?;
    if existing > 0 {
        diesel::update(deadlines::table.find((&row.region_code, &row.applies_to))).set(row).execute(conn)?;
    } else {
        diesel::insert_into(deadlines::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Removes a deadline; answers whether there was one.
///
/// # Errors
/// On a database error.
pub fn remove(conn: &mut DbConn, region: &str, applies_to: &str) -> StoreResult<bool> {
    Ok(diesel::delete(deadlines::table.find((region, applies_to))).execute(conn)? > 0)
}

/// When each village inside `[low, high]` first submitted `period`'s form.
///
/// # Errors
/// On a database error.
pub fn first_submissions(
    conn: &mut DbConn,
    low: &str,
    high: &str,
    period: &str,
    submit: &str,
) -> StoreResult<std::collections::HashMap<String, NaiveDateTime>> {
    let rows: Vec<(String, Option<NaiveDateTime>)> = entry_events::table
        .filter(entry_events::period.eq(period))
        .filter(entry_events::action.eq(submit))
        .filter(entry_events::region_code.ge(low))
        .filter(entry_events::region_code.le(high))
        .group_by(entry_events::region_code)
        .select((entry_events::region_code, diesel::dsl::min(entry_events::occurred_at)))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(region, at)| at.map(|at| (region, at))).collect())
}

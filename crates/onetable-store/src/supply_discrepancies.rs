//! Corrections of supplied values (差异): one open per cell, closed by the supplier.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{supplied_values, supply_discrepancies};
use crate::supplies::SuppliedValueRow;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = supply_discrepancies)]
pub struct DiscrepancyRow {
    pub id: i64,
    pub supply_id: i64,
    pub region_code: String,
    pub indicator_code: String,
    pub period: String,
    pub supplied: String,
    pub corrected: String,
    pub reason: Option<String>,
    pub corrected_by: String,
    pub corrected_at: NaiveDateTime,
    /// `open`, `resolved` or `answered`.
    pub status: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = supply_discrepancies)]
pub struct NewDiscrepancy<'a> {
    pub supply_id: i64,
    pub region_code: &'a str,
    pub indicator_code: &'a str,
    pub period: &'a str,
    pub supplied: &'a str,
    pub corrected: &'a str,
    pub reason: Option<&'a str>,
    pub corrected_by: &'a str,
    pub corrected_at: NaiveDateTime,
    pub status: &'a str,
}

/// The supplied values of some cells of one entry.
///
/// # Errors
/// On a database error.
pub fn supplied_cells(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    codes: &[String],
) -> StoreResult<Vec<SuppliedValueRow>> {
    Ok(supplied_values::table
        .filter(supplied_values::region_code.eq(region))
        .filter(supplied_values::period.eq(period))
        .filter(supplied_values::indicator_code.eq_any(codes))
        .select(SuppliedValueRow::as_select())
        .load(conn)?)
}

/// Records a correction: the cell's open discrepancy takes the new value and reason, or a new
/// one is opened.
///
/// # Errors
/// On a database error.
pub fn record(conn: &mut DbConn, new: &NewDiscrepancy<'_>) -> StoreResult<()> {
    let open = supply_discrepancies::table
        .filter(supply_discrepancies::region_code.eq(new.region_code))
        .filter(supply_discrepancies::period.eq(new.period))
        .filter(supply_discrepancies::indicator_code.eq(new.indicator_code))
        .filter(supply_discrepancies::status.eq("open"));
    let updated = diesel::update(open)
        .set((
            supply_discrepancies::supply_id.eq(new.supply_id),
            supply_discrepancies::supplied.eq(new.supplied),
            supply_discrepancies::corrected.eq(new.corrected),
            supply_discrepancies::reason.eq(new.reason),
            supply_discrepancies::corrected_by.eq(new.corrected_by),
            supply_discrepancies::corrected_at.eq(new.corrected_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(supply_discrepancies::table).values(new).execute(conn)?;
    }
    Ok(())
}

/// Closes the open discrepancy of a cell: when the clerk sets it back to the supplied number
/// (`by_supplier` false), or the supplier now gives the corrected number (true). Answers how many
/// were closed.
///
/// # Errors
/// On a database error.
pub fn resolve(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    indicator: &str,
    value: &str,
    by_supplier: bool,
) -> StoreResult<usize> {
    let open = supply_discrepancies::table
        .filter(supply_discrepancies::region_code.eq(region))
        .filter(supply_discrepancies::period.eq(period))
        .filter(supply_discrepancies::indicator_code.eq(indicator))
        .filter(supply_discrepancies::status.eq("open"));
    let done = if by_supplier {
        diesel::update(open.filter(supply_discrepancies::corrected.eq(value)))
            .set(supply_discrepancies::status.eq("resolved"))
            .execute(conn)?
    } else {
        diesel::update(open.filter(supply_discrepancies::supplied.eq(value)))
            .set(supply_discrepancies::status.eq("resolved"))
            .execute(conn)?
    };
    Ok(done)
}

/// The department answers why its number stands; false when the discrepancy is not open.
///
/// # Errors
/// On a database error.
pub fn answer(conn: &mut DbConn, supply: i64, id: i64, text: &str, by: &str, at: NaiveDateTime) -> StoreResult<bool> {
    let updated = diesel::update(
        supply_discrepancies::table
            .find(id)
            .filter(supply_discrepancies::supply_id.eq(supply))
            .filter(supply_discrepancies::status.eq("open")),
    )
    .set((
        supply_discrepancies::status.eq("answered"),
        supply_discrepancies::answer.eq(text),
        supply_discrepancies::answered_by.eq(by),
        supply_discrepancies::answered_at.eq(at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// A supply's discrepancies, newest first.
///
/// # Errors
/// On a database error.
pub fn of_supply(conn: &mut DbConn, supply: i64) -> StoreResult<Vec<DiscrepancyRow>> {
    Ok(supply_discrepancies::table
        .filter(supply_discrepancies::supply_id.eq(supply))
        .order(supply_discrepancies::id.desc())
        .limit(5000)
        .select(DiscrepancyRow::as_select())
        .load(conn)?)
}

/// One village's discrepancies of one period (what the village sees of the answers).
///
/// # Errors
/// On a database error.
pub fn of_entry(conn: &mut DbConn, region: &str, period: &str) -> StoreResult<Vec<DiscrepancyRow>> {
    Ok(supply_discrepancies::table
        .filter(supply_discrepancies::region_code.eq(region))
        .filter(supply_discrepancies::period.eq(period))
        .order(supply_discrepancies::id)
        .select(DiscrepancyRow::as_select())
        .load(conn)?)
}

/// The open discrepancies of a supply: (village, period, indicator) → the village's number.
///
/// # Errors
/// On a database error.
pub fn open_of_supply(conn: &mut DbConn, supply: i64) -> StoreResult<Vec<(String, String, String, String)>> {
    Ok(supply_discrepancies::table
        .filter(supply_discrepancies::supply_id.eq(supply))
        .filter(supply_discrepancies::status.eq("open"))
        .select((
            supply_discrepancies::region_code,
            supply_discrepancies::period,
            supply_discrepancies::indicator_code,
            supply_discrepancies::corrected,
        ))
        .load(conn)?)
}

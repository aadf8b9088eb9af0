//! Supply grants (数据供给): which department supplies which indicators for which region, and the
//! latest value each gave per village, indicator and period.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{supplied_values, supplies};
use crate::sharing::RequestScope;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = supplies)]
pub struct SupplyRow {
    pub id: i64,
    pub department: String,
    pub requested_by: String,
    pub region_code: String,
    /// Comma-separated indicator codes.
    pub indicators: String,
    pub purpose: String,
    pub source_system: String,
    pub refresh: String,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
    pub created_at: NaiveDateTime,
    /// Comma-separated register codes whose records it pushes.
    pub registers: Option<String>,
}

impl SupplyRow {
    #[must_use]
    pub fn indicator_list(&self) -> Vec<String> {
        self.indicators.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect()
    }

    #[must_use]
    pub fn register_list(&self) -> Vec<String> {
        self.registers.as_deref().unwrap_or_default().split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect()
    }

    /// What it holds for its region: its indicators and its registers (one supplier each).
    #[must_use]
    pub fn held(&self) -> Vec<String> {
        let mut held = self.indicator_list();
        held.extend(self.register_list());
        held
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = supplies)]
pub struct NewSupply {
    pub department: String,
    pub requested_by: String,
    pub region_code: String,
    pub indicators: String,
    pub purpose: String,
    pub source_system: String,
    pub refresh: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub registers: Option<String>,
}

/// # Errors
/// On a database error.
pub fn insert(conn: &mut DbConn, row: &NewSupply) -> StoreResult<SupplyRow> {
    let query = diesel::insert_into(supplies::table).values(row);
    Ok(match conn {
        DbConn::Sqlite(c) => query.returning(SupplyRow::as_returning()).get_result(c)?,
        DbConn::Postgres(c) => query.returning(SupplyRow::as_returning()).get_result(c)?,
    })
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<SupplyRow>> {
    Ok(supplies::table.find(id).select(SupplyRow::as_select()).get_result(conn).optional()?)
}

/// Supplies in `statuses` (pending and approved: the ones that hold an indicator and region).
///
/// # Errors
/// On a database error.
pub fn with_status(conn: &mut DbConn, statuses: &[&str]) -> StoreResult<Vec<SupplyRow>> {
    Ok(supplies::table
        .filter(supplies::status.eq_any(statuses.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()))
        .order(supplies::id)
        .select(SupplyRow::as_select())
        .load(conn)?)
}

/// Supplies in the scope, newest first.
///
/// # Errors
/// On a database error.
pub fn list(conn: &mut DbConn, scope: &RequestScope) -> StoreResult<Vec<SupplyRow>> {
    let mut query = supplies::table.into_boxed();
    query = match scope {
        RequestScope::Department(department) => query.filter(supplies::department.eq(department.clone())),
        RequestScope::Region { low, high, ancestors } => query.filter(
            supplies::region_code
                .between(low.clone(), high.clone())
                .or(supplies::region_code.eq_any(ancestors.clone())),
        ),
    };
    Ok(query.order(supplies::id.desc()).limit(500).select(SupplyRow::as_select()).load(conn)?)
}

/// Moves a supply from `from` to `to`; false when it was not in `from`.
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
    let updated = diesel::update(supplies::table.find(id).filter(supplies::status.eq(from)))
        .set((
            supplies::status.eq(to),
            supplies::decided_by.eq(by),
            supplies::decided_at.eq(at),
            supplies::decision_reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// The latest supplied value of one cell.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = supplied_values)]
pub struct SuppliedValueRow {
    pub region_code: String,
    pub indicator_code: String,
    pub period: String,
    pub supply_id: i64,
    pub value: String,
    pub as_of: NaiveDate,
    pub received_at: NaiveDateTime,
}

/// Keeps each value as the latest of its cell (replacing an earlier one).
///
/// # Errors
/// On a database error.
pub fn upsert_values(conn: &mut DbConn, rows: &[SuppliedValueRow]) -> StoreResult<()> {
    use diesel::upsert::excluded;
    let key = (supplied_values::region_code, supplied_values::indicator_code, supplied_values::period);
    let update = (
        supplied_values::supply_id.eq(excluded(supplied_values::supply_id)),
        supplied_values::value.eq(excluded(supplied_values::value)),
        supplied_values::as_of.eq(excluded(supplied_values::as_of)),
        supplied_values::received_at.eq(excluded(supplied_values::received_at)),
    );
    match conn {
        // SQLite's batch insert has no upsert in diesel: one prepared statement per row, in the
        // caller's transaction.
        DbConn::Sqlite(c) => {
            for row in rows {
                diesel::insert_into(supplied_values::table)
                    .values(row)
                    .on_conflict(key)
                    .do_update()
                    .set(update)
                    .execute(c)?;
            }
        }
        DbConn::Postgres(c) => {
            for chunk in rows.chunks(1000) {
                diesel::insert_into(supplied_values::table)
                    .values(chunk)
                    .on_conflict(key)
                    .do_update()
                    .set(update)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// The supplied values of one village's period, with the supplier's department.
///
/// # Errors
/// On a database error.
pub fn of_entry(conn: &mut DbConn, region: &str, period: &str) -> StoreResult<Vec<(SuppliedValueRow, String)>> {
    Ok(supplied_values::table
        .inner_join(supplies::table.on(supplies::id.eq(supplied_values::supply_id)))
        .filter(supplied_values::region_code.eq(region))
        .filter(supplied_values::period.eq(period))
        .order(supplied_values::indicator_code)
        .select((SuppliedValueRow::as_select(), supplies::department))
        .load(conn)?)
}

/// Marks supplied values of one entry as confirmed by the clerk (the value itself unchanged);
/// answers how many were.
///
/// # Errors
/// On a database error.
pub fn confirm_sources(conn: &mut DbConn, region: &str, period: &str, codes: &[String]) -> StoreResult<usize> {
    use crate::schema::data_values;
    Ok(diesel::update(
        data_values::table
            .filter(data_values::region_code.eq(region))
            .filter(data_values::period.eq(period))
            .filter(data_values::indicator_code.eq_any(codes))
            .filter(data_values::source.eq("supplied")),
    )
    .set(data_values::source.eq("confirmed"))
    .execute(conn)?)
}

/// Per supplying department, over the villages between `low` and `high`: values supplied, values
/// the villages confirmed, and corrections (every discrepancy, whatever became of it).
///
/// # Errors
/// On a database error.
pub fn burden_counts(conn: &mut DbConn, low: &str, high: &str) -> StoreResult<Vec<(String, i64, i64, i64)>> {
    use crate::schema::{data_values, supply_discrepancies};
    use diesel::dsl::count_star;
    let supplied: Vec<(String, i64)> = supplied_values::table
        .inner_join(supplies::table.on(supplies::id.eq(supplied_values::supply_id)))
        .filter(supplied_values::region_code.between(low, high))
        .group_by(supplies::department)
        .select((supplies::department, count_star()))
        .load(conn)?;
    let confirmed: Vec<(String, i64)> = supplied_values::table
        .inner_join(supplies::table.on(supplies::id.eq(supplied_values::supply_id)))
        .inner_join(
            data_values::table.on(data_values::region_code
                .eq(supplied_values::region_code)
                .and(data_values::indicator_code.eq(supplied_values::indicator_code))
                .and(data_values::period.eq(supplied_values::period))),
        )
        .filter(supplied_values::region_code.between(low, high))
        .filter(data_values::source.eq("confirmed"))
        .group_by(supplies::department)
        .select((supplies::department, count_star()))
        .load(conn)?;
    let corrected: Vec<(String, i64)> = supply_discrepancies::table
        .inner_join(supplies::table.on(supplies::id.eq(supply_discrepancies::supply_id)))
        .filter(supply_discrepancies::region_code.between(low, high))
        .group_by(supplies::department)
        .select((supplies::department, count_star()))
        .load(conn)?;
    let mut out: std::collections::BTreeMap<String, (i64, i64, i64)> = std::collections::BTreeMap::new();
    for (department, n) in supplied {
        out.entry(department).or_default().0 = n;
    }
    for (department, n) in confirmed {
        out.entry(department).or_default().1 = n;
    }
    for (department, n) in corrected {
        out.entry(department).or_default().2 = n;
    }
    Ok(out.into_iter().map(|(d, (s, c, k))| (d, s, c, k)).collect())
}

/// A supplied cell: (village, indicator, period).
pub type CellKey = (String, String, String);

/// The values a supply gave for `periods`: cell → (value, as_of).
///
/// # Errors
/// On a database error.
pub fn kept(
    conn: &mut DbConn,
    supply: i64,
    periods: &[String],
) -> StoreResult<std::collections::HashMap<CellKey, (String, NaiveDate)>> {
    let rows: Vec<(String, String, String, String, NaiveDate)> = supplied_values::table
        .filter(supplied_values::supply_id.eq(supply))
        .filter(supplied_values::period.eq_any(periods))
        .select((
            supplied_values::region_code,
            supplied_values::indicator_code,
            supplied_values::period,
            supplied_values::value,
            supplied_values::as_of,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(r, i, p, v, a)| ((r, i, p), (v, a))).collect())
}

//! What the form shows beside a field a department supplies (数据回流): its latest number, where
//! it came from, whether it is newer than the clerk's, and where the village's correction of it
//! stands. Read by the entry view; depends on nothing of it but the cell's JSON.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use onetable_store::supplies as store;
use onetable_store::DbConn;
use serde::Serialize;
use utoipa::ToSchema;

use crate::entries::cell_json::json_value;
use crate::problem::Problem;

/// A supplied value beside a field of the form.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct SuppliedValue {
    pub indicator: String,
    /// The supplier's latest number.
    #[schema(value_type = crate::entries::cell_json::CellValue)]
    pub value: serde_json::Value,
    /// 截至.
    #[schema(value_type = String)]
    pub as_of: NaiveDate,
    pub department: String,
    /// The supplier's number arrived after the value the entry holds (typed or confirmed) and
    /// differs from it: it is offered beside the field.
    pub newer: bool,
    /// The village's correction of this number as the department sees it: `open`, `resolved` or
    /// `answered` (with the department's answer).
    pub correction: Option<CorrectionState>,
}

/// Where the village's correction of a supplied value stands.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct CorrectionState {
    pub status: String,
    pub answer: Option<String>,
}

/// The supplied values of a village's entry for the form's indicators.
///
/// # Errors
/// On a database error.
pub fn of_entry(
    conn: &mut DbConn,
    form: &crate::entries::Form,
    region: &str,
    period: &str,
    stored: &BTreeMap<String, (String, String, NaiveDateTime)>,
) -> Result<Vec<SuppliedValue>, Problem> {
    let mut corrections: BTreeMap<String, CorrectionState> =
        onetable_store::supply_discrepancies::of_entry(conn, region, period)?
            .into_iter()
            .map(|d| (d.indicator_code, CorrectionState { status: d.status, answer: d.answer }))
            .collect();
    Ok(store::of_entry(conn, region, period)?
        .into_iter()
        .filter_map(|(row, department)| {
            let def = form.entered.get(&row.indicator_code)?;
            // Offered only when it arrived after the clerk's value: a correction the clerk made
            // since is not undone by the number it corrected.
            let newer = stored.get(&row.indicator_code).is_some_and(|(value, source, at)| {
                source != "supplied" && *value != row.value && *at < row.received_at
            });
            Some(SuppliedValue {
                correction: corrections.remove(&row.indicator_code),
                value: json_value(&def.value_type, &row.value),
                indicator: row.indicator_code,
                as_of: row.as_of,
                department,
                newer,
            })
        })
        .collect())
}

//! What a village's form for a period looks like to those who may read it: the values with their
//! source, derived values, last period's values, rule results and what is still missing.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use onetable_core::indicator::ValueType;
use onetable_core::{Period, RegionCode};
use onetable_store::entries as store;
use onetable_store::DbConn;
use serde::Serialize;
use utoipa::ToSchema;

use onetable_core::workflow::EntryStatus;

pub use super::cell_json::{json_value, CellValue};
use super::form::outer_cells;
use super::{formula_values, rule_results, Form, RuleResult};
use crate::problem::Problem;

/// One entered cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cell {
    pub code: String,
    /// Number, boolean or text, as the indicator's type says.
    #[schema(value_type = CellValue)]
    pub value: serde_json::Value,
    /// `entry`, `import`, `carried_forward`, `api`, `register` (from a register), `supplied` (a
    /// department's number, not yet confirmed) or `confirmed` (confirmed by the clerk).
    pub source: String,
    pub entered_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    pub entered_at: NaiveDateTime,
}

/// A value computed from a formula, or offered from the previous period.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeValue {
    pub code: String,
    /// Null when a formula has no value (a missing input, a division by zero).
    #[schema(value_type = Option<CellValue>)]
    pub value: serde_json::Value,
    /// Why a derived value is missing when its inputs are on another period's form:
    /// `需要 2025年报 的 劳动力人数`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The derived indicators' values, computed from `values` (rounded to the indicator's scale);
/// a derived indicator with no value whose outer inputs are missing says which.
fn derived_values(form: &Form, values: &BTreeMap<String, onetable_core::formula::Value>) -> Vec<CodeValue> {
    form.derived
        .iter()
        .map(|(d, expr)| match values.get(&d.code) {
            Some(v) => CodeValue { code: d.code.clone(), value: formula_json(*v, &d.value_type), note: None },
            None => {
                let missing: Vec<String> = expr
                    .codes()
                    .iter()
                    .filter(|c| !values.contains_key(c.as_str()))
                    .filter_map(|c| form.outer.get(c.as_str()))
                    .filter_map(|o| form.period.at(o.frequency).map(|p| format!("{p} 期{}", o.name)))
                    .collect();
                let note = (!missing.is_empty()).then(|| format!("需要 {}（那一期尚未填报）", missing.join("、")));
                CodeValue { code: d.code.clone(), value: serde_json::Value::Null, note }
            }
        })
        .collect()
}

/// Required indicators without a stored cell.
fn missing_required(form: &Form, cells: &BTreeMap<String, String>) -> Vec<String> {
    form.entered
        .values()
        .filter(|d| d.constraints.required && !cells.contains_key(&d.code))
        .map(|d| d.code.clone())
        .collect()
}

/// One village's form for one period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Entry {
    pub region_code: String,
    pub period: String,
    /// `draft`, `submitted`, `returned` or `approved`.
    pub status: String,
    /// Send it back as `If-Match` with the next write (also in the `ETag` header).
    pub revision: i64,
    pub values: Vec<Cell>,
    /// Derived indicators computed from the values.
    pub derived: Vec<CodeValue>,
    /// Last period's values, offered for "nothing changed" (POST .../carry-forward).
    pub carried_forward: Vec<CodeValue>,
    pub rule_results: Vec<RuleResult>,
    /// Required indicators still without a value.
    pub missing_required: Vec<String>,
    /// The clerk's explanations (说明) of failing warning rules at the latest submission, by rule
    /// code: what a reviewer reads beside the rule.
    pub explanations: BTreeMap<String, String>,
    /// The values kept from registers (台账), live: what each register gives now, and whether
    /// the reviewer has a change to confirm.
    pub register_values: Vec<crate::registers::derived::RegisterValue>,
    /// The values departments supply (数据回流) for the form's indicators: prefilled (a value
    /// with source `supplied` until the clerk confirms it), or offered beside what the clerk typed.
    pub supplied: Vec<crate::supplies::beside::SuppliedValue>,
}

/// What a PATCH answers: the new revision and, at once, what the rules say about the values now.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatchResult {
    pub region_code: String,
    pub period: String,
    pub status: String,
    /// The next `If-Match` (also the `ETag`).
    pub revision: i64,
    pub derived: Vec<CodeValue>,
    pub rule_results: Vec<RuleResult>,
    pub missing_required: Vec<String>,
}

impl PatchResult {
    /// Computed from the values the write left, without reading them back.
    #[must_use]
    pub fn new(
        form: &Form,
        entry: &onetable_store::entries::EntryRow,
        cells: &BTreeMap<String, String>,
        outer: &BTreeMap<String, String>,
    ) -> Self {
        let values = formula_values(form, &with_outer(cells, outer));
        Self {
            region_code: entry.region_code.clone(),
            period: entry.period.clone(),
            status: entry.status.clone(),
            revision: entry.revision,
            derived: derived_values(form, &values),
            rule_results: rule_results(form, &values),
            missing_required: missing_required(form, cells),
        }
    }
}

/// A formula's value, a number rounded to the indicator's scale (性别比 103.02, not 103.018268).
fn formula_json(value: onetable_core::formula::Value, value_type: &ValueType) -> serde_json::Value {
    let scale = match value_type {
        ValueType::Decimal { scale } => 10f64.powi(i32::try_from(*scale).unwrap_or(2)),
        ValueType::Integer => 1.0,
        _ => 1e6,
    };
    match value {
        onetable_core::formula::Value::Number(n) => serde_json::Number::from_f64((n * scale).round() / scale)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        onetable_core::formula::Value::Bool(b) => b.into(),
    }
}

/// The form's cells with the outer inputs' beside them (the form's own never overwritten).
fn with_outer(cells: &BTreeMap<String, String>, outer: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut all = outer.clone();
    all.extend(cells.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// Builds the full view of an entry.
///
/// # Errors
/// On a database fault.
pub fn view(conn: &mut DbConn, form: &Form, region: RegionCode, period: Period) -> Result<Entry, Problem> {
    let (region, period_text) = (region.to_string(), period.to_string());
    let entry = store::find(conn, &region, &period_text)?;
    let rows = store::values(conn, &region, &period_text)?;
    let previous = store::values(conn, &region, &period.previous().to_string())?;
    let cells: BTreeMap<String, String> = rows.iter().map(|r| (r.indicator_code.clone(), r.value.clone())).collect();
    let values = formula_values(form, &with_outer(&cells, &outer_cells(conn, form, &region)?));
    let type_of = |code: &str| form.entered.get(code).map(|d| &d.value_type);
    let locked = entry.as_ref().is_some_and(|e| !e.status.parse::<EntryStatus>().is_ok_and(EntryStatus::editable));
    let register_values = crate::registers::derived::live(conn, &region, form, &cells, locked)?;
    let sourced: BTreeMap<String, (String, String, chrono::NaiveDateTime)> =
        rows.iter().map(|r| (r.indicator_code.clone(), (r.value.clone(), r.source.clone(), r.entered_at))).collect();
    let supplied = crate::supplies::beside::of_entry(conn, form, &region, &period_text, &sourced)?;
    Ok(Entry {
        register_values,
        supplied,
        status: entry.as_ref().map_or(EntryStatus::Draft.as_str(), |e| e.status.as_str()).to_owned(),
        revision: entry.as_ref().map_or(0, |e| e.revision),
        values: rows
            .iter()
            .map(|r| Cell {
                code: r.indicator_code.clone(),
                value: type_of(&r.indicator_code).map_or_else(|| r.value.clone().into(), |t| json_value(t, &r.value)),
                source: r.source.clone(),
                entered_by: r.entered_by.clone(),
                entered_at: r.entered_at,
            })
            .collect(),
        derived: derived_values(form, &values),
        carried_forward: previous
            .iter()
            .filter_map(|r| {
                type_of(&r.indicator_code).map(|t| CodeValue {
                    code: r.indicator_code.clone(),
                    value: json_value(t, &r.value),
                    note: None,
                })
            })
            .collect(),
        rule_results: rule_results(form, &values),
        missing_required: missing_required(form, &cells),
        explanations: explanations(conn, &region, &period_text)?,
        region_code: region,
        period: period_text,
    })
}

/// The explanations given with the latest submission (kept as its event's comment).
fn explanations(conn: &mut DbConn, region: &str, period: &str) -> Result<BTreeMap<String, String>, Problem> {
    let submitted = store::latest_event(conn, region, period, onetable_core::workflow::SUBMIT.name)?;
    Ok(submitted.and_then(|e| e.comment).and_then(|c| serde_json::from_str(&c).ok()).unwrap_or_default())
}

/// A village's form for a period, for its clerk and the reviewers and admins over it.
///
/// # Errors
/// 403 for other roles, 404 outside the actor's scope or for an unknown region, 400 for a region
/// that is not a village or a period without a form.
pub async fn read(app: &crate::App, actor: &crate::Actor, at: super::access::EntryRef) -> crate::AppResult<Entry> {
    use super::access::{authorize, with_form, READERS};
    authorize(app, actor, "entries.read", at, &READERS, false).await?;
    with_form(app, at, false, move |conn, form| view(conn, form, at.region, at.period)).await
}

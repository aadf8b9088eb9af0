//! A record as its reader sees it: values opened or masked, history entries.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use onetable_core::register::{mask, RegisterDef};
use onetable_store::registers::records::{RecordEventRow, RecordRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::sealing::DataKeys;
use crate::problem::Problem;

/// One record of a register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Record {
    pub id: i64,
    pub register: String,
    pub village: String,
    /// 村民小组 / 网格.
    pub group: Option<String>,
    /// Column code → value; personal values masked (`5223**********1234`, `张*`) unless
    /// `masked` is false.
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, String>,
    pub masked: bool,
    /// `open` or `closed`.
    pub status: String,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub revision: i64,
    pub updated_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    pub updated_at: NaiveDateTime,
    /// The same person listed, open, in another village's register of this type.
    pub listed_elsewhere: Vec<Elsewhere>,
}

/// Where else a person is listed.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Elsewhere {
    pub village: String,
    pub village_name: String,
    pub record: i64,
}

/// One change in a record's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordEvent {
    pub revision: i64,
    /// `create`, `edit`, `close`, `import` or `reveal`.
    pub action: String,
    pub actor: String,
    pub reason: Option<String>,
    /// `[{column, old, new}]`, personal values masked.
    #[schema(value_type = Vec<Object>)]
    pub changes: serde_json::Value,
    #[serde(serialize_with = "crate::time::utc")]
    pub occurred_at: NaiveDateTime,
}

impl From<RecordEventRow> for RecordEvent {
    fn from(row: RecordEventRow) -> Self {
        Self {
            revision: row.revision,
            action: row.action,
            actor: row.actor,
            reason: row.reason,
            changes: serde_json::from_str(&row.changes).unwrap_or_default(),
            occurred_at: row.occurred_at,
        }
    }
}

/// A stored record's values in the clear: plain ones as stored, sealed ones opened.
///
/// # Errors
/// 500 for a corrupt row or a value that does not open.
pub fn values_of(row: &RecordRow, keys: &DataKeys) -> Result<BTreeMap<String, String>, Problem> {
    let mut values: BTreeMap<String, String> = serde_json::from_str(&row.plain).map_err(Problem::internal)?;
    let sealed: BTreeMap<String, String> = serde_json::from_str(&row.sealed).map_err(Problem::internal)?;
    for (column, value) in sealed {
        values.insert(column, keys.open(&value)?);
    }
    Ok(values)
}

/// The plain (not sealed) values of a row: what aggregates and searches read, never opening a
/// sealed value.
///
/// # Errors
/// 500 for a corrupt row.
pub fn plain_of(row: &RecordRow) -> Result<BTreeMap<String, String>, Problem> {
    serde_json::from_str(&row.plain).map_err(Problem::internal)
}

/// Values masked where personal.
#[must_use]
pub fn masked(def: &RegisterDef, values: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    values
        .iter()
        .map(|(code, value)| {
            let shown = match def.column(code) {
                Some(column) if column.personal.is_personal() || column.sealed() => mask(column, value),
                _ => value.clone(),
            };
            (code.clone(), shown)
        })
        .collect()
}

/// The record as its reader sees it (`full`: in the clear).
///
/// # Errors
/// 500 for a corrupt row.
pub fn record(def: &RegisterDef, row: RecordRow, keys: &DataKeys, full: bool) -> Result<Record, Problem> {
    let values = values_of(&row, keys)?;
    Ok(Record {
        id: row.id,
        register: row.register_code,
        village: row.region_code,
        group: row.group_name,
        values: if full { values } else { masked(def, &values) },
        masked: !full,
        status: if row.closed_on.is_some() { "closed" } else { "open" }.into(),
        opened_on: row.opened_on,
        closed_on: row.closed_on,
        close_reason: row.close_reason,
        revision: row.revision,
        updated_by: row.updated_by,
        updated_at: row.updated_at,
        listed_elsewhere: Vec::new(),
    })
}

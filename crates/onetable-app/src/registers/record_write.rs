//! What storing a record's values takes: the canonical values split into plain and sealed, the
//! key's and the person's keyed hashes, and the history's masked list of changes.

use std::collections::BTreeMap;

use onetable_core::register::record::ColumnProblem;
use onetable_core::register::{mask, RegisterDef};

use super::sealing::DataKeys;
use crate::problem::Problem;

/// A record's values ready to store.
pub struct Stored {
    pub plain: String,
    pub sealed: String,
    pub key_hash: String,
    pub person_hash: Option<String>,
}

/// Seals and hashes `values` (canonical, every column present has a value).
///
/// # Errors
/// 500 when sealing fails.
pub fn store(def: &RegisterDef, values: &BTreeMap<String, String>, keys: &DataKeys) -> Result<Stored, Problem> {
    let mut plain = BTreeMap::new();
    let mut sealed = BTreeMap::new();
    for (code, value) in values {
        match def.column(code) {
            Some(column) if column.sealed() => {
                sealed.insert(code.clone(), keys.seal(value)?);
            }
            _ => {
                plain.insert(code.clone(), value.clone());
            }
        }
    }
    Ok(Stored {
        plain: serde_json::to_string(&plain).map_err(Problem::internal)?,
        sealed: serde_json::to_string(&sealed).map_err(Problem::internal)?,
        key_hash: key_hash(def, values, keys),
        person_hash: person_hash(def, values, keys),
    })
}

/// The keyed hash of the record's key values: what finds it again within the village.
#[must_use]
pub fn key_hash(def: &RegisterDef, values: &BTreeMap<String, String>, keys: &DataKeys) -> String {
    let key: Vec<&str> = def.key.iter().map(|k| values.get(k).map_or("", String::as_str)).collect();
    keys.lookup(&format!("{}/key", def.code), &key.join("\u{1f}"))
}

/// The keyed hash of the record's person (its first ID number), the same in every register.
#[must_use]
pub fn person_hash(def: &RegisterDef, values: &BTreeMap<String, String>, keys: &DataKeys) -> Option<String> {
    def.person_column().and_then(|c| values.get(&c.code)).map(|id| keys.lookup("person", id))
}

/// `[{column, old, new}]` of what changed, personal values masked, as JSON.
#[must_use]
pub fn changes(def: &RegisterDef, old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> String {
    let shown = |code: &str, value: Option<&String>| {
        value.map(|v| match def.column(code) {
            Some(column) if column.personal.is_personal() || column.sealed() => mask(column, v),
            _ => v.clone(),
        })
    };
    let mut codes: Vec<&String> = old.keys().chain(new.keys()).collect();
    codes.sort();
    codes.dedup();
    let list: Vec<serde_json::Value> = codes
        .into_iter()
        .filter(|code| old.get(*code) != new.get(*code))
        .map(|code| serde_json::json!({"column": code, "old": shown(code, old.get(code)), "new": shown(code, new.get(code))}))
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// The 422 of refused values, one detail per column (`row` for an import's line).
#[must_use]
pub fn refused(problems: Vec<ColumnProblem>, row: Option<usize>) -> Problem {
    let message = match row {
        Some(_) => "导入文件中有不符合要求的值，全部未导入，请按提示修改",
        None => "记录中有不符合要求的值，未保存，请按提示修改",
    };
    let mut error = Problem::unprocessable("validation_failed", message);
    for p in problems {
        let field = match row {
            Some(row) => format!("第 {row} 行 {}", p.column),
            None => p.column.clone(),
        };
        let text = match row {
            Some(row) => format!("第 {row} 行：{}", p.message),
            None => p.message,
        };
        error = error.with_detail(Some(&field), p.code, text);
    }
    error
}

/// The 409 of a key already listed, open, in the village.
#[must_use]
pub fn key_taken(def: &RegisterDef, record: i64) -> Problem {
    let key: Vec<String> = def.key.iter().map(|k| def.column(k).map_or(k.clone(), |c| c.name.clone())).collect();
    Problem::conflict(
        "record_exists",
        format!("本村{}中已有{}相同的记录（编号 {record}），请修改该记录而不是新增", def.name, key.join("、")),
    )
    .with_detail(Some("record"), "record_exists", record.to_string())
}

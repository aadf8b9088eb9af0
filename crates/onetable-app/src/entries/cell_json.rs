//! A stored cell's value as the API carries it: a number, yes/no or text, as the indicator's type
//! says — shared by the entry view and what is shown beside its fields (supplied values).

use onetable_core::indicator::ValueType;
use serde::Serialize;
use utoipa::ToSchema;

/// A cell's value as JSON carries it (for the spec: the answers hold `serde_json::Value`s of
/// exactly these kinds).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum CellValue {
    Number(f64),
    Boolean(bool),
    Text(String),
}

/// A stored value as JSON: a number, yes/no or text, as the indicator's type says.
#[must_use]
pub fn json_value(value_type: &ValueType, stored: &str) -> serde_json::Value {
    match value_type {
        ValueType::Integer => stored.parse::<i64>().map_or_else(|_| stored.into(), Into::into),
        ValueType::Decimal { .. } => stored
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| stored.into(), serde_json::Value::Number),
        ValueType::Boolean => serde_json::Value::Bool(stored == "true"),
        _ => stored.into(),
    }
}

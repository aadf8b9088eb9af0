//! Reading what a person typed into the values a use case works with, with the field named when
//! it does not parse.

use onetable_core::value::RawCell;
use onetable_core::RegionCode;

use crate::problem::{AppResult, Problem};

/// A region code from the input, or a 400 naming the field.
///
/// # Errors
/// When the text is not a valid region code.
pub fn region_code(text: &str, field: &str) -> AppResult<RegionCode> {
    RegionCode::parse(text).map_err(|e| {
        Problem::bad_request("invalid_region_code", format!("区划代码无效：{e}")).with_detail(
            Some(field),
            "invalid_region_code",
            e.to_string(),
        )
    })
}

/// A JSON value as a cell or a record's value arrives: `null` clears it; an array or an object is
/// no value at all (`None`).
#[must_use]
pub fn raw_cell(value: &serde_json::Value) -> Option<RawCell> {
    Some(match value {
        serde_json::Value::Null => RawCell::Null,
        serde_json::Value::Bool(b) => RawCell::Bool(*b),
        serde_json::Value::Number(n) => RawCell::Number(n.to_string()),
        serde_json::Value::String(s) => RawCell::Text(s.clone()),
        _ => return None,
    })
}

//! Reading what a person typed into the values a use case works with, with the field named when
//! it does not parse.

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

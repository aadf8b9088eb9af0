//! The parameters many routes share: a region code, a region level, a page.

use onetable_core::RegionCode;

use crate::error::ApiError;
pub use onetable_app::paging::Paging;
pub use onetable_app::regions::Level;

/// Parses a region code from the request, or answers 400 naming the field.
///
/// # Errors
/// When the text is not a valid region code.
pub fn parse_code(text: &str, field: &str) -> Result<RegionCode, ApiError> {
    Ok(onetable_app::input::region_code(text, field)?)
}

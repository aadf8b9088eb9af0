//! The parameters many routes share: a region code, a region level, a page.

use onetable_core::{RegionCode, RegionLevel};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// A region's level, province (1) to village (5).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    Prefecture,
    County,
    Township,
    Village,
}

impl From<RegionLevel> for Level {
    fn from(level: RegionLevel) -> Self {
        match level {
            RegionLevel::Province => Self::Province,
            RegionLevel::Prefecture => Self::Prefecture,
            RegionLevel::County => Self::County,
            RegionLevel::Township => Self::Township,
            RegionLevel::Village => Self::Village,
        }
    }
}

impl From<Level> for RegionLevel {
    fn from(level: Level) -> Self {
        match level {
            Level::Province => Self::Province,
            Level::Prefecture => Self::Prefecture,
            Level::County => Self::County,
            Level::Township => Self::Township,
            Level::Village => Self::Village,
        }
    }
}

/// Paging: `limit` 1–1000 (default 100), `offset` ≥ 0.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page size, 1–1000, default 100.
    pub limit: Option<i64>,
    /// Rows to skip, default 0.
    pub offset: Option<i64>,
}

impl Paging {
    /// # Errors
    /// When the limit is outside 1–1000 or the offset negative.
    pub fn resolve(&self) -> Result<(i64, i64), ApiError> {
        let page = self.page()?;
        Ok((page.limit, page.offset))
    }

    /// # Errors
    /// As [`Paging::resolve`].
    pub fn page(&self) -> Result<onetable_app::paging::Page, ApiError> {
        Ok(onetable_app::paging::Page::new(self.limit, self.offset)?)
    }
}

/// Parses a region code from the request, or answers 400 naming the field.
///
/// # Errors
/// When the text is not a valid region code.
pub fn parse_code(text: &str, field: &str) -> Result<RegionCode, ApiError> {
    Ok(onetable_app::input::region_code(text, field)?)
}

//! Paging of lists: `limit` 1–1000 (default 100), `offset` ≥ 0. Out of range is refused, not
//! clamped, so a client never believes it got everything when it did not.

use crate::problem::{AppResult, Problem};

/// The most a page holds.
pub const MAX_LIMIT: i64 = 1000;
/// A page's size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 100;

/// A checked page: how many, after how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    /// # Errors
    /// 400 when the limit is outside 1–1000 or the offset negative.
    pub fn new(limit: Option<i64>, offset: Option<i64>) -> AppResult<Self> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        let offset = offset.unwrap_or(0);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Problem::bad_request("invalid_query", format!("limit 必须在 1 到 {MAX_LIMIT} 之间"))
                .with_detail(Some("limit"), "out_of_range", format!("收到 {limit}")));
        }
        if offset < 0 {
            return Err(Problem::bad_request("invalid_query", "offset 不能为负数").with_detail(
                Some("offset"),
                "out_of_range",
                format!("收到 {offset}"),
            ));
        }
        Ok(Self { limit, offset })
    }
}

/// Paging as a client asks for it: `limit` 1–1000 (default 100), `offset` ≥ 0; checked by the
/// use case that pages, so that a refusal of the caller comes before a refusal of the page.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, utoipa::IntoParams)]
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
    pub fn resolve(&self) -> AppResult<(i64, i64)> {
        let page = self.page()?;
        Ok((page.limit, page.offset))
    }

    /// # Errors
    /// As [`Paging::resolve`].
    pub fn page(&self) -> AppResult<Page> {
        Page::new(self.limit, self.offset)
    }
}

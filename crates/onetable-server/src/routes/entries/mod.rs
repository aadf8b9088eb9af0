//! Entries (填报表) over HTTP: `/api/v1/entries/{region}/{period}`.
//!
//! Every write takes `If-Match: <revision>` (a stale one is 412, a missing one 428) and either
//! changes everything it asked for or nothing.

pub mod edit;
pub mod get;
pub mod history;
pub mod printed;
pub mod workflow;

use actix_web::{HttpRequest, HttpResponse};
use onetable_app::entries;
pub use onetable_app::entries::access::EntryRef;
pub use onetable_app::entries::view::{Cell, CellValue, CodeValue, Entry, PatchResult};

use crate::error::ApiError;
use crate::routes::params::parse_code;

/// The entry of the path, parsed (400 for a bad code or period).
///
/// # Errors
/// 400 for a bad code or period.
pub fn parse_path(region: &str, period: &str) -> Result<EntryRef, ApiError> {
    Ok(EntryRef { region: parse_code(region, "region")?, period: entries::parse_period(period)? })
}

/// The text of `If-Match`, if any (the application reads the revision in it).
#[must_use]
pub fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers().get("if-match").map(|v| v.to_str().unwrap_or_default().to_owned())
}

/// An entry as the response body, with its revision as the `ETag`.
#[must_use]
pub fn respond(entry: &Entry) -> HttpResponse {
    with_etag(entry, entry.revision)
}

/// A body with the entry's revision as its `ETag`.
#[must_use]
pub fn with_etag<T: serde::Serialize>(body: &T, revision: i64) -> HttpResponse {
    HttpResponse::Ok().insert_header(("etag", format!("\"{revision}\""))).json(body)
}

//! Registers (台账) over HTTP: register types in the registry (`/api/v1/registers`) and each
//! village's records (`/api/v1/registers/{code}/records`). Record writes take `If-Match`.

pub mod confirm;
pub mod duplicates;
pub mod import;
pub mod record_writes;
pub mod records;
pub mod types;

use onetable_app::registers::record_view::Record;

use crate::routes::entries::with_etag;

/// A record as the response body, with its revision as the `ETag`.
#[must_use]
pub fn respond(record: &Record) -> actix_web::HttpResponse {
    with_etag(record, record.revision)
}

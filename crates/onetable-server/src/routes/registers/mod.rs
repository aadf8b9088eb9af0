//! Registers (台账) over HTTP: register types in the registry (`/api/v1/registers`) and each
//! village's records (`/api/v1/registers/{code}/records`). Record writes take `If-Match`, and an
//! `Idempotency-Key` so that a phone's outbox may send an edit again after a lost answer.

pub mod confirm;
pub mod duplicates;
pub mod import;
pub mod record_writes;
pub mod records;
pub mod types;

use actix_web::HttpRequest;
use onetable_app::imports::idempotency;
use onetable_app::registers::record_view::Record;
use serde::Serialize;

use crate::routes::entries::with_etag;

/// A record as the response body, with its revision as the `ETag`.
#[must_use]
pub fn respond(record: &Record) -> actix_web::HttpResponse {
    with_etag(record, record.revision)
}

/// What an `Idempotency-Key` stands for on a record write: the method, the path and query, the
/// revision read (`If-Match`) and the body — the same key sent with another of these is refused.
#[must_use]
pub fn write_hash(req: &HttpRequest, body: &impl Serialize) -> String {
    let if_match = crate::routes::entries::if_match(req).unwrap_or_default();
    let parameters = format!("{} {}?{} {if_match}", req.method(), req.path(), req.query_string());
    idempotency::request_hash(&parameters, &serde_json::to_vec(body).unwrap_or_default())
}

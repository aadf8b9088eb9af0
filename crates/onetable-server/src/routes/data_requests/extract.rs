//! `GET /api/v1/data-requests/{id}/extract`

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use onetable_app::sharing::extract::extract;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::Binary;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExtractQuery {
    /// A period the request grants: `2025`.
    pub period: String,
    /// Only the provinces where an approved entry changed after this (RFC 3339).
    pub changed_since: Option<DateTime<Utc>>,
}

/// The partitioned extract of what the request grants — its region, its indicators, approved
/// entries only — as a ZIP holding `period=…/province=…/part-00000.parquet` and
/// `period=…/_manifest.json`, the layout of `onetable extract`, to unpack into a data lake.
/// Logged for the villages like a pull.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path), ExtractQuery),
    responses(
        (status = 200, description = "the ZIP", content((Binary = "application/zip"))),
        (status = 400, body = ErrorBody),
        (status = 403, description = "not active, or outside what the request grants", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/api/v1/data-requests/{id}/extract")]
pub async fn extract_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<ExtractQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let zip = extract(&state, &caller, id.into_inner(), q.period, q.changed_since).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(("content-disposition", format!("attachment; filename=\"{}\"", zip.file_name)))
        .body(zip.bytes))
}

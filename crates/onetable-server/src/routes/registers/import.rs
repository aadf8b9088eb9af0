//! `POST /api/v1/registers/{code}/imports?village=…`

use actix_web::{post, web, HttpRequest, HttpResponse};
use onetable_app::imports::idempotency;
use onetable_app::registers::import::{self, RegisterImportReport};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::imports::{idempotent, read_body, ImportUpload};
use crate::routes::params::parse_code;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterImportQuery {
    /// The village (12 digits).
    pub village: String,
    /// Check and report without writing.
    pub dry_run: Option<bool>,
}

/// The clerk imports the village's own Excel list (XLSX or CSV): the header (found among the
/// first rows, below a title) matched to the register's columns by name or alias, every row
/// checked; all or nothing — new keys added, known ones updated, other records left alone. A
/// refused value names its row and column. `Idempotency-Key` makes a retry safe.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "REG.DIBAO"), RegisterImportQuery, ("Idempotency-Key" = Option<String>, Header)),
    request_body(description = "The file: CSV (UTF-8), XLSX, or a multipart form with one file part", content(
        (String = "text/csv"),
        (crate::export::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, body = RegisterImportReport),
        (status = 403, body = ErrorBody),
        (status = 409, description = "`request_in_progress`", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "`import_rejected` (row and column of each refused value), `header_not_found`", body = ErrorBody),
        (status = 429, body = ErrorBody),
    )
)]
#[post("/api/v1/registers/{code}/imports")]
pub async fn import_records(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<RegisterImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let village = parse_code(&query.village, "village")?;
    onetable_app::registers::records::may_keep(&state, &caller, village).await?;
    let turn = state.upload_turn()?;
    let (format, bytes) = read_body(&req, payload, state.import_max_bytes).await?;
    let request_hash = idempotency::request_hash(req.query_string(), &bytes);
    let dry_run = query.dry_run.unwrap_or(false);
    let work = async {
        let report = import::import(&state, &caller, &turn, path.into_inner(), village, format, bytes, dry_run).await?;
        Ok(HttpResponse::Ok().json(report))
    };
    idempotent(&state, &caller, &req, request_hash, work).await
}

//! `POST /api/v1/imports` — bulk import of values (CSV or XLSX; raw body or multipart).

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::Binary;
use crate::state::AppState;
use crate::upload::read_upload;
use onetable_app::imports::idempotency::{self, Claim};
use onetable_app::imports::{upload, FileFormat, ImportReport};
use onetable_app::uploads::UploadTurn;

pub use onetable_app::imports::idempotency::KEY_LEASE;

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The period, when the file has no `period` column.
    pub period: Option<String>,
    /// Validate and report without writing.
    pub dry_run: Option<bool>,
}

/// A multipart import: one file part (its name ends in `.csv` or `.xlsx`, or its part has that
/// content type).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    #[schema(value_type = Binary)]
    pub file: Vec<u8>,
}

fn format_of(content_type: &str, filename: Option<&str>) -> Option<FileFormat> {
    let by_name = filename.map(str::to_lowercase);
    if content_type.starts_with(XLSX) || by_name.as_deref().is_some_and(|n| n.ends_with(".xlsx")) {
        Some(FileFormat::Xlsx)
    } else if content_type.starts_with("text/csv") || by_name.as_deref().is_some_and(|n| n.ends_with(".csv")) {
        Some(FileFormat::Csv)
    } else {
        None
    }
}

pub(crate) async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<(FileFormat, Vec<u8>), ApiError> {
    let unsupported = || {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请上传 CSV（text/csv）或 XLSX 文件，或以 multipart/form-data 上传",
        )
    };
    let file = read_upload(req, payload, limit, |t, n| format_of(t, n).is_some()).await?.ok_or_else(unsupported)?;
    let format = format_of(&file.content_type, file.file_name.as_deref()).ok_or_else(unsupported)?;
    Ok((format, file.bytes))
}

/// Imports values from a CSV (UTF-8, with or without BOM) or XLSX file, in long layout
/// (`region_code, indicator_code, period, value`) or wide (`region_code`, `period` column or
/// parameter, one column per indicator code or name). Atomic: any invalid cell rejects the whole
/// file (422, a detail per problem with row and column). Entries under review or approved are not
/// overwritten (reported). An `Idempotency-Key` makes retries safe: the same key and body replay
/// the first answer; the same key with another body is 422; a retry while the first runs is 409.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(ImportQuery, ("Idempotency-Key" = Option<String>, Header)),
    request_body(description = "The file: CSV (UTF-8), XLSX, or a multipart form with one file part", content(
        (String = "text/csv"),
        (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, body = ImportReport),
        (status = 409, description = "`request_in_progress`", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 429, description = "`too_many_uploads`: every upload turn is taken; retry after `Retry-After` seconds", body = ErrorBody),
        (status = 422, description = "`import_rejected` (problems listed; nothing written) or `idempotency_key_reused`", body = ErrorBody),
    )
)]
#[post("/api/v1/imports")]
pub async fn create_import(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    upload::authorize(&state, &caller).await?;
    let turn = state.upload_turn()?;
    let (format, bytes) = read_body(&req, payload, state.import_max_bytes).await?;
    let query = query.into_inner();
    let request_hash = idempotency::request_hash(req.query_string(), &bytes);
    idempotent(&state, &caller, &req, request_hash, run_import(&state, &caller, &turn, format, bytes, query)).await
}

/// Runs `work` under the request's `Idempotency-Key`, if it has one: the same key and body replay
/// the first answer (`Idempotent-Replayed: true`); the same key with another body is 422; a retry
/// while the first runs is 409. A fault of ours is not kept: a retry runs the work again.
pub(crate) async fn idempotent(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    request_hash: String,
    work: impl std::future::Future<Output = Result<HttpResponse, ApiError>>,
) -> Result<HttpResponse, ApiError> {
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    let Some(key) = key else {
        return work.await;
    };
    if let Claim::Replay { status, body } = idempotency::claim(state, caller, key.clone(), request_hash).await? {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        return Ok(HttpResponse::build(status)
            .content_type("application/json")
            .insert_header(("idempotent-replayed", "true"))
            .body(body));
    }
    let result = work.await;
    if let Err(error) = &result {
        if actix_web::ResponseError::status_code(error).is_server_error() {
            // Not an answer to keep: a retry runs the import again.
            idempotency::release(state, caller, key).await?;
            return result;
        }
    }
    let response = result.unwrap_or_else(|error| actix_web::ResponseError::error_response(&error));
    let status = response.status();
    let (_, body) = response.into_parts();
    let bytes =
        actix_web::body::to_bytes(body).await.map_err(|_| ApiError::internal("cannot buffer the import response"))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    idempotency::finish(state, caller, key, status.as_u16(), text.clone()).await?;
    Ok(HttpResponse::build(status).content_type("application/json").body(text))
}

async fn run_import(
    state: &AppState,
    caller: &Caller,
    turn: &UploadTurn,
    format: FileFormat,
    bytes: Vec<u8>,
    query: ImportQuery,
) -> Result<HttpResponse, ApiError> {
    let dry_run = query.dry_run.unwrap_or(false);
    let report = upload::import_file(state, caller, turn, format, bytes, query.period, dry_run).await?;
    Ok(HttpResponse::Ok().json(report))
}

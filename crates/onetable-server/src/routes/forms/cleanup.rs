//! `POST /api/v1/forms/cleanup`

use actix_web::{post, web, HttpRequest, HttpResponse};
use onetable_app::legacy::cleanup::{cleanup, render, CleanupReport, MAX_FORMS};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::Binary;
use crate::state::AppState;
use crate::upload::read_uploads;

/// A multipart upload: any number of file parts (forms, or ZIPs of them).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct CleanupUpload {
    #[schema(value_type = Vec<Binary>)]
    pub file: Vec<Vec<u8>>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CleanupQuery {
    /// `json` (default), `csv` (the needs) or `xlsx` (summary, needs, forms).
    pub format: Option<String>,
}

/// The clean-up report of many forms: a ZIP of XLSX/XLS/CSV forms (raw body), or a multipart
/// form with several files (ZIPs among them unpacked). Counts forms, columns, distinct needs and
/// how many the registry already has; lists which indicator how many forms ask for, and each
/// form with its coverage or why it could not be read. The counts are kept for the burden page.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    params(CleanupQuery),
    request_body(description = "A ZIP of forms, or a multipart form with several files", content(
        (Binary = "application/zip"),
        (CleanupUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, body = CleanupReport, content_type = "application/json"),
        (status = 400, body = ErrorBody),
        (status = 403, description = "not a department or an admin", body = ErrorBody),
        (status = 413, description = "the body, or what its forms inflate to together, is beyond the limits", body = ErrorBody),
        (status = 422, description = "no form, an archive that cannot be opened", body = ErrorBody),
        (status = 429, description = "`too_many_uploads`: every upload turn is taken; retry after `Retry-After` seconds", body = ErrorBody),
    )
)]
#[post("/api/v1/forms/cleanup")]
pub async fn cleanup_forms(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    query: web::Query<CleanupQuery>,
) -> Result<HttpResponse, ApiError> {
    onetable_app::legacy::analyze::authorize(&state, &caller).await?;
    let xlsx = match query.format.as_deref().unwrap_or("json") {
        "json" => None,
        "csv" => Some(false),
        "xlsx" => Some(true),
        other => {
            return Err(ApiError::bad_request(
                "invalid_format",
                format!("format 只能是 json、csv 或 xlsx，而不是 {other}"),
            ))
        }
    };
    let turn = state.upload_turn()?;
    let uploads = read_uploads(&req, payload, state.import_max_bytes, MAX_FORMS, |_, name| name.is_some()).await?;
    let files = uploads
        .into_iter()
        .enumerate()
        .map(|(i, u)| (u.file_name.unwrap_or_else(|| format!("file-{}", i + 1)), u.bytes))
        .collect();
    let report = cleanup(&state, &caller, &turn, files).await?;
    let Some(xlsx) = xlsx else { return Ok(HttpResponse::Ok().json(report)) };
    let bytes = web::block(move || render(&report, xlsx)).await.map_err(ApiError::internal)??;
    let (content_type, extension) = if xlsx {
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("content-disposition", format!("attachment; filename=\"forms-cleanup.{extension}\"")))
        .body(bytes))
}

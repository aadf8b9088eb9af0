//! `POST /api/v1/forms/analyze`

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use onetable_app::legacy::analyze::analyze_file;
use onetable_app::legacy::views::FormAnalysis;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::Binary;
use crate::state::AppState;
use crate::upload::read_upload;

/// A multipart upload: one file part (XLSX, XLS or CSV).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FormUpload {
    #[schema(value_type = Binary)]
    pub file: Vec<u8>,
}

/// Whether a multipart part is the form: any part with a file name.
fn is_file(_: &str, file_name: Option<&str>) -> bool {
    file_name.is_some()
}

/// Analyzes a department's form (XLSX, XLS or UTF-8 CSV; the file's first bytes decide, not its
/// name): the header (several rows, merged cells, title and note rows skipped, row-label columns
/// set aside), and for each data column its name, its unit and the registry indicator it maps to
/// (alias, exact name, normalised name or similarity, with the unit factor), or none with up to
/// three candidates. Stores nothing.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    request_body(description = "The form: XLSX, XLS, CSV, or a multipart form with one file part", content(
        (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (Binary = "application/vnd.ms-excel"),
        (String = "text/csv"),
        (FormUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, body = FormAnalysis),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not a department or an admin", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 429, description = "`too_many_uploads`: every upload turn is taken; retry after `Retry-After` seconds", body = ErrorBody),
        (status = 422, description = "`not_a_table`, `password_protected`, `empty_sheet`, `no_header`, `too_many_columns`, `header_too_long`, `unreadable_file`", body = ErrorBody),
    )
)]
#[post("/api/v1/forms/analyze")]
pub async fn analyze_form(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    onetable_app::legacy::analyze::authorize(&state, &caller).await?;
    let turn = state.upload_turn()?;
    let file = read_upload(&req, payload, state.import_max_bytes, is_file).await?.ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_file", "请在表单中附上报表文件（XLSX、XLS 或 CSV）")
    })?;
    let name =
        file.file_name.or_else(|| req.headers().get("x-file-name").and_then(|v| v.to_str().ok()).map(str::to_owned));
    Ok(HttpResponse::Ok().json(analyze_file(&state, &caller, &turn, file.bytes, name).await?))
}

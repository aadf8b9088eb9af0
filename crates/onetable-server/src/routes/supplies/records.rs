//! `POST /api/v1/supplies/{id}/records/{register}?village=…`

use actix_web::{post, web, HttpRequest, HttpResponse};
use onetable_app::imports::idempotency;
use onetable_app::registers::import::RegisterImportReport;
use onetable_app::supplies::records;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::imports::{idempotent, read_body, ImportUpload};
use crate::routes::params::parse_code;
use crate::routes::registers::import::RegisterImportQuery;
use crate::state::AppState;

/// The department pushes a village's records of a register its approved supply names (民政局's
/// 低保户 list), in the register's import layout (CSV or XLSX; the header matched by name). As the
/// village's own import: all or nothing, new keys added, known ones updated, its other records
/// left alone; the counts derived from the register follow. A village outside the supply's region
/// or a register it does not name is 403; a refused value names its row and column.
/// `Idempotency-Key` makes a retry safe.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path), ("register" = String, Path, example = "REG.DIBAO"), RegisterImportQuery, ("Idempotency-Key" = Option<String>, Header)),
    request_body(description = "The file: CSV (UTF-8), XLSX, or a multipart form with one file part", content(
        (String = "text/csv"),
        (crate::export::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, body = RegisterImportReport),
        (status = 403, description = "`supply_not_approved`, `outside_supply` (register or village)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`request_in_progress`", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "`import_rejected` (row and column of each refused value), `header_not_found`", body = ErrorBody),
        (status = 429, body = ErrorBody),
    )
)]
#[post("/api/v1/supplies/{id}/records/{register}")]
pub async fn push_records(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(i64, String)>,
    query: web::Query<RegisterImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (id, register) = path.into_inner();
    let village = parse_code(&query.village, "village")?;
    records::may_push(&state, &caller, id, &register, village).await?;
    let turn = state.upload_turn()?;
    let (format, bytes) = read_body(&req, payload, state.import_max_bytes).await?;
    let request_hash = idempotency::request_hash(req.query_string(), &bytes);
    let dry_run = query.dry_run.unwrap_or(false);
    let work = async {
        let report = records::push(&state, &caller, &turn, id, register, village, format, bytes, dry_run).await?;
        Ok(HttpResponse::Ok().json(report))
    };
    idempotent(&state, &caller, &req, request_hash, work).await
}

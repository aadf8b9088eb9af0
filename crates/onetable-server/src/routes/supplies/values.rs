//! `POST /api/v1/supplies/{id}/values`: the department's system pushes its values.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{post, web, FromRequest, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use onetable_app::supplies::push::{self, PushReport, SupplyPush};
use onetable_app::supplies::push_file;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::Binary;
use crate::routes::imports::{idempotent, read_body, ImportUpload};
use crate::routes::json::Json;
use crate::state::AppState;

/// Largest JSON push body: 200,000 rows of about 110 bytes.
pub const PUSH_LIMIT: usize = 32 * 1024 * 1024;

/// For a file: the day its numbers hold for, where a line gives none.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PushQuery {
    /// `2025-12-31`.
    #[param(value_type = Option<String>)]
    pub as_of: Option<NaiveDate>,
}

/// Pushes values under an approved supply: JSON `{rows: [{region, period, indicator, value,
/// as_of}]}`, or a CSV/XLSX file with the columns 区划代码, 期别, 指标代码, 数值 and 截至日期 (or
/// `?as_of=` for the whole file), read with the imports' bounded reader. All or nothing: a row
/// outside the grant's region or indicators is 403 naming the row; a value of the wrong type, a
/// region that is not a village, a period the indicator is not reported in, a future `as_of` is
/// 422 naming row and column (a file's line). The values prefill the villages' editable forms
/// where the clerk has not typed or confirmed another; `Idempotency-Key` makes a retry safe.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path), PushQuery, ("Idempotency-Key" = Option<String>, Header)),
    request_body(description = "JSON rows, or the file: CSV (UTF-8), XLSX, or a multipart form with one file part", content(
        (SupplyPush = "application/json"),
        (String = "text/csv"),
        (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, body = PushReport),
        (status = 403, description = "not the supplier, not approved, or rows outside the grant (named)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "naming row and column", body = ErrorBody),
    )
)]
#[post("/api/v1/supplies/{id}/values")]
pub async fn push_values(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    query: web::Query<PushQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"));
    if json {
        let body: Json<SupplyPush, PUSH_LIMIT> = Json::from_request(&req, &mut payload.into_inner()).await?;
        let parsed = body.into_inner();
        let bytes = serde_json::to_vec(&parsed).unwrap_or_default();
        let hash = onetable_app::imports::idempotency::request_hash(req.path(), &bytes);
        let work = async { Ok(HttpResponse::Ok().json(push::push(&state, &caller, id, parsed).await?)) };
        return idempotent(&state, &caller, &req, hash, work).await;
    }
    let turn = state.upload_turn()?;
    let (format, bytes) = read_body(&req, payload, state.import_max_bytes).await?;
    let hash =
        onetable_app::imports::idempotency::request_hash(&format!("{}?{}", req.path(), req.query_string()), &bytes);
    let as_of = query.into_inner().as_of;
    let work = async {
        let report = push_file::push_file(&state, &caller, id, format, bytes, as_of).await?;
        drop(turn);
        Ok(HttpResponse::Ok().json(report))
    };
    idempotent(&state, &caller, &req, hash, work).await
}

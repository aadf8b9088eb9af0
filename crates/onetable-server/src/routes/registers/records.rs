//! `GET|POST /api/v1/registers/{code}/records`, `GET /api/v1/registers/{code}/records/{id}`,
//! `GET …/records/{id}/history`

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use onetable_app::registers::listing::{self, RecordList, RecordQuery};
use onetable_app::registers::record_view::{Record, RecordEvent};
use onetable_app::registers::records::{self, RecordInput, RecordRef};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{respond, write_hash};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::imports::idempotent;
use crate::routes::json::Json;
use crate::routes::params::parse_code;
use crate::state::AppState;

/// Which village's list, and what of it.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// The village (12 digits).
    pub village: String,
    /// A name (or part of one), or a whole ID number.
    pub q: Option<String>,
    /// `open` (default), `closed` or `all`.
    pub status: Option<String>,
    /// 村民小组.
    pub group: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// The village's records of a register, masked, with the counts the register feeds and the
/// open records per 村民小组. Its clerk and the reviewers over it.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "REG.DIBAO"), ListParams),
    responses((status = 200, body = RecordList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/registers/{code}/records")]
pub async fn list_records(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let village = parse_code(&query.village, "village")?;
    let wanted = RecordQuery {
        q: query.q,
        status: query.status,
        group: query.group,
        limit: query.limit.unwrap_or(100),
        offset: query.offset.unwrap_or(0),
    };
    Ok(HttpResponse::Ok().json(listing::list(&state, &caller, path.into_inner(), village, wanted).await?))
}

/// Where the record goes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VillageParam {
    /// The village (12 digits).
    pub village: String,
}

/// The village's clerk adds a record. Every value is checked against its column (an ID number's
/// check digit, a date not in the future, an option of the list…); one refused value stores
/// nothing. The counts the register feeds follow in the same transaction.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, example = "REG.DIBAO"),
        VillageParam,
        ("Idempotency-Key" = Option<String>, Header, description = "a record sent again (a phone's outbox after a lost answer) is added once"),
    ),
    request_body = RecordInput,
    responses(
        (status = 201, body = Record),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the key is already listed in the village (naming the record)", body = ErrorBody),
        (status = 422, description = "naming the column", body = ErrorBody),
    )
)]
#[post("/api/v1/registers/{code}/records")]
pub async fn create_record(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<VillageParam>,
    body: Json<RecordInput>,
) -> Result<HttpResponse, ApiError> {
    let village = parse_code(&query.village, "village")?;
    let input = body.into_inner();
    let hash = write_hash(&req, &input);
    let work = async {
        let record = records::create(&state, &caller, path.into_inner(), village, input).await?;
        Ok(HttpResponse::Created().insert_header(("etag", format!("\"{}\"", record.revision))).json(record))
    };
    idempotent(&state, &caller, &req, hash, work).await
}

/// One record, masked, with the villages where the same person is listed too.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Record), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/registers/{code}/records/{id}")]
pub async fn get_record(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (register, id) = path.into_inner();
    Ok(respond(&records::get(&state, &caller, RecordRef { register, id }).await?))
}

/// A record's history: who changed what, when and why; who looked at it in full.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Vec<RecordEvent>), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/registers/{code}/records/{id}/history")]
pub async fn record_history(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (register, id) = path.into_inner();
    Ok(HttpResponse::Ok().json(records::history(&state, &caller, RecordRef { register, id }).await?))
}

//! `PATCH /api/v1/registers/{code}/records/{id}`, `POST …/close`, `POST …/reveal`

use actix_web::{patch, post, web, HttpRequest, HttpResponse};
use onetable_app::registers::record_close::{self, CloseInput};
use onetable_app::registers::record_view::Record;
use onetable_app::registers::records::{self, RecordInput, RecordRef};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{respond, write_hash};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::entries::if_match;
use crate::routes::imports::idempotent;
use crate::routes::json::Json;
use crate::state::AppState;

/// The clerk changes some values of a record (`If-Match`: its revision).
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(
        ("code" = String, Path),
        ("id" = i64, Path),
        ("If-Match" = String, Header, description = "the revision read"),
        ("Idempotency-Key" = Option<String>, Header, description = "the same edit sent again replays its first answer"),
    ),
    request_body = RecordInput,
    responses(
        (status = 200, body = Record),
        (status = 409, description = "closed, or the new key is listed already", body = ErrorBody),
        (status = 412, description = "changed since read", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 428, body = ErrorBody),
    )
)]
#[patch("/api/v1/registers/{code}/records/{id}")]
pub async fn edit_record(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    body: Json<RecordInput>,
) -> Result<HttpResponse, ApiError> {
    let (register, id) = path.into_inner();
    let at = RecordRef { register, id };
    let input = body.into_inner();
    let hash = write_hash(&req, &input);
    let work = async { Ok(respond(&records::edit(&state, &caller, at, if_match(&req).as_deref(), input).await?)) };
    idempotent(&state, &caller, &req, hash, work).await
}

/// The clerk closes a record — moved away, died, left the programme — with the day and the
/// reason. Never deleted: counts at the end of a period before that day still include it.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(
        ("code" = String, Path),
        ("id" = i64, Path),
        ("If-Match" = String, Header, description = "the revision read"),
        ("Idempotency-Key" = Option<String>, Header, description = "the same closing sent again replays its first answer"),
    ),
    request_body = CloseInput,
    responses((status = 200, body = Record), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/registers/{code}/records/{id}/close")]
pub async fn close_record(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    body: Json<CloseInput>,
) -> Result<HttpResponse, ApiError> {
    let (register, id) = path.into_inner();
    let at = RecordRef { register, id };
    let input = body.into_inner();
    let hash = write_hash(&req, &input);
    let work =
        async { Ok(respond(&record_close::close(&state, &caller, at, if_match(&req).as_deref(), input).await?)) };
    idempotent(&state, &caller, &req, hash, work).await
}

/// Why the full values are needed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    #[schema(example = "核对低保金发放账户")]
    pub reason: String,
}

/// The village's clerk or a reviewer over it sees one record in full, saying why. Audited and
/// kept in the record's history.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path), ("id" = i64, Path)),
    request_body = RevealRequest,
    responses((status = 200, body = Record), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/registers/{code}/records/{id}/reveal")]
pub async fn reveal_record(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i64)>,
    body: Json<RevealRequest>,
) -> Result<HttpResponse, ApiError> {
    let (register, id) = path.into_inner();
    let at = RecordRef { register, id };
    Ok(HttpResponse::Ok().json(records::reveal(&state, &caller, at, body.into_inner().reason).await?))
}

/// The village's clerk exports everything a register holds about the person a record describes
/// (个人信息保护法 §45), on that person's request: every value in full and the record's history,
/// as a JSON file to hand over. Audited and kept in the record's history.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path), ("id" = i64, Path)),
    request_body = RevealRequest,
    responses(
        (status = 200, body = onetable_app::registers::person_export::PersonExport),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("/api/v1/registers/{code}/records/{id}/export")]
pub async fn export_record(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i64)>,
    body: Json<RevealRequest>,
) -> Result<HttpResponse, ApiError> {
    let (register, id) = path.into_inner();
    let at = RecordRef { register, id };
    let exported =
        onetable_app::registers::person_export::export(&state, &caller, at, body.into_inner().reason).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"personal-data-{}-{}.json\"", exported.register, exported.record),
        ))
        .json(exported))
}

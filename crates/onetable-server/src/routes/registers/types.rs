//! `GET|POST /api/v1/registers`, `GET /api/v1/registers/{code}`

use actix_web::{get, post, web, HttpResponse};
use onetable_app::registers::types::{self, Register, RegisterInput};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// An admin defines a register type (台账类型): typed columns, personal and sensitive marks, a
/// key. Its code shares the indicators' code space; a name an active register has is refused.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    request_body = RegisterInput,
    responses(
        (status = 201, body = Register),
        (status = 403, body = ErrorBody),
        (status = 409, description = "the code is a register's or an indicator's, or the name is taken", body = ErrorBody),
        (status = 422, description = "naming the column", body = ErrorBody),
    )
)]
#[post("/api/v1/registers")]
pub async fn create_register(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<RegisterInput>,
) -> Result<HttpResponse, ApiError> {
    let register = types::create_register(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(register))
}

/// Every active register type, with the indicators each one feeds.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Register>))
)]
#[get("/api/v1/registers")]
pub async fn list_registers(state: web::Data<AppState>, _caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(types::list_registers(&state).await?))
}

/// One register type.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "REG.DIBAO")),
    responses((status = 200, body = Register), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/registers/{code}")]
pub async fn get_register(
    state: web::Data<AppState>,
    _caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(types::get_register(&state, path.into_inner()).await?))
}

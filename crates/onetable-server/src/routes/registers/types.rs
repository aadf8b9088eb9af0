//! `GET|POST /api/v1/registers`, `GET|PUT /api/v1/registers/{code}`, `GET …/{code}/versions`

use actix_web::{get, post, put, web, HttpResponse};
use onetable_app::registers::type_versions::{self, RegisterRevision};
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

/// An admin changes a register type: a new version. Compatible changes (wording, an optional
/// column, wider ranges, more options, more protection) always pass — a column made sensitive has
/// its kept values sealed at once; a breaking change (the unit, the key, removing or retyping a
/// column, making one required, narrower ranges, fewer options, less protection) is refused (409,
/// one detail per change) once any village keeps a record, and so is a change that would break an
/// indicator's aggregate. The same definition again writes nothing.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "REG.DIBAO")),
    request_body = RegisterInput,
    responses(
        (status = 200, body = RegisterRevision),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`breaking_change` over kept records, `register_in_use`, `duplicate_register`", body = ErrorBody),
        (status = 422, description = "naming the column", body = ErrorBody),
    )
)]
#[put("/api/v1/registers/{code}")]
pub async fn update_register(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<RegisterInput>,
) -> Result<HttpResponse, ApiError> {
    let revision = type_versions::update_register(&state, &caller, path.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(revision))
}

/// Every version of a register type, oldest first, each with who wrote it and why.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "REG.DIBAO")),
    responses((status = 200, body = Vec<Register>), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/registers/{code}/versions")]
pub async fn register_versions(
    state: web::Data<AppState>,
    _caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(type_versions::versions(&state, path.into_inner()).await?))
}

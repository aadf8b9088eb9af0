//! `POST|GET /api/v1/supplies`, `GET /api/v1/supplies/{id}`

use actix_web::{get, post, web, HttpResponse};
use onetable_app::supplies::{grants, NewSupply, Supply};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// A department offers to supply indicators for a region from its own system (数据供给): "民政局
/// supplies 低保户数 for 5223". An admin over the region decides. One supplier per indicator and
/// region at a time.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    request_body = NewSupply,
    responses(
        (status = 201, body = Supply),
        (status = 403, body = ErrorBody),
        (status = 409, description = "`supply_taken`: another supplier holds an indicator there (named)", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("/api/v1/supplies")]
pub async fn file_supply(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewSupply>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(grants::file(&state, &caller, body.into_inner()).await?))
}

/// The supplies the caller sees: a department its own, an admin those over its scope.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Supply>), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/supplies")]
pub async fn list_supplies(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(grants::list(&state, &caller).await?))
}

/// One supply.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Supply), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/supplies/{id}")]
pub async fn get_supply(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = grants::visible(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Supply::from(row)))
}

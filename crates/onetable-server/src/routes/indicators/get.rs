//! `GET /api/v1/indicators/{code}` and `GET /api/v1/indicators/{code}/versions`

use actix_web::{get, web, HttpResponse};
use onetable_app::registry::read;

use super::Indicator;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The current version of one indicator.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "POP.REGISTERED")),
    responses((status = 200, body = Indicator), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/indicators/{code}")]
pub async fn get_indicator(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(read::current(&state, &caller, code.into_inner()).await?))
}

/// Every version of one indicator, oldest first: nothing is ever overwritten.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "POP.REGISTERED")),
    responses((status = 200, body = Vec<Indicator>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/indicators/{code}/versions")]
pub async fn list_versions(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(read::versions(&state, &caller, code.into_inner()).await?))
}

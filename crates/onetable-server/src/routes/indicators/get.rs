//! `GET /api/v1/indicators/{code}` and `GET /api/v1/indicators/{code}/versions`

use actix_web::{get, web, HttpResponse};
use onetable_store::registry;

use super::{indicator_not_found, require_reader, Indicator};
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
    state.authorize(&caller, "indicators.read", None, require_reader(&caller)).await?;
    let code = code.into_inner();
    let versions = state.run(move |conn| Ok(registry::versions(conn, &code).map(|v| (code, v))?)).await?;
    let (code, mut versions) = versions;
    let latest = versions.pop().ok_or_else(|| indicator_not_found(&code))?;
    Ok(HttpResponse::Ok().json(Indicator::from(latest)))
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
    state.authorize(&caller, "indicators.read", None, require_reader(&caller)).await?;
    let code = code.into_inner();
    let lookup = code.clone();
    let versions = state.run(move |conn| Ok(registry::versions(conn, &lookup)?)).await?;
    if versions.is_empty() {
        return Err(indicator_not_found(&code));
    }
    Ok(HttpResponse::Ok().json(versions.into_iter().map(Indicator::from).collect::<Vec<_>>()))
}

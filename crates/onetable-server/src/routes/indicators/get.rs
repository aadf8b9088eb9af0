//! `GET /api/v1/indicators/{code}` and `GET /api/v1/indicators/{code}/versions`

use actix_web::{get, web, HttpResponse};
use onetable_store::registry::{self, IndicatorRow};

use super::{indicator_not_found, require_reader, Indicator};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Every version of `code`, oldest first; 404 when there is none.
async fn versions_of(state: &AppState, caller: &Caller, code: String) -> Result<Vec<IndicatorRow>, ApiError> {
    state.authorize(caller, "indicators.read", None, require_reader(caller)).await?;
    state
        .run(move |conn| {
            let versions = registry::versions(conn, &code)?;
            if versions.is_empty() {
                Err(indicator_not_found(&code))
            } else {
                Ok(versions)
            }
        })
        .await
}

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
    let mut versions = versions_of(&state, &caller, code.into_inner()).await?;
    let latest = versions.pop().ok_or_else(|| ApiError::internal("versions vanished"))?;
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
    let versions = versions_of(&state, &caller, code.into_inner()).await?;
    Ok(HttpResponse::Ok().json(versions.into_iter().map(Indicator::from).collect::<Vec<_>>()))
}

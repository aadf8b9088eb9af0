//! `GET /api/v1/indicators`

use actix_web::{get, web, HttpResponse};
use onetable_app::registry::read::{self, IndicatorFilter, IndicatorList};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The current version of every indicator that matches, in form order.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(IndicatorFilter),
    responses((status = 200, body = IndicatorList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/indicators")]
pub async fn list_indicators(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<IndicatorFilter>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(read::list(&state, &caller, filter.into_inner()).await?))
}

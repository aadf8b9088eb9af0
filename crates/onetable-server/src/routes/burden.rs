//! `GET /api/v1/burden?within=CODE`: what the platform saves villages (减负成效).

use actix_web::{get, web, HttpResponse};
use onetable_app::dashboards::burden as dashboards;
pub use onetable_app::dashboards::burden::Burden;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BurdenQuery {
    /// Default: the caller's scope.
    pub within: Option<String>,
}

/// The burden report for admins.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(BurdenQuery),
    responses((status = 200, body = Burden), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/burden")]
pub async fn burden(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<BurdenQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(dashboards::burden(&state, &caller, query.into_inner().within).await?))
}

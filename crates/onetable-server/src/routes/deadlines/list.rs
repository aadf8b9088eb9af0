//! `GET /api/v1/deadlines?within=`

use actix_web::{get, web, HttpResponse};
use onetable_app::deadlines::{self, Deadline};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlinesQuery {
    /// Default: the caller's scope.
    pub within: Option<String>,
}

/// The due dates set in a region and above it (what is not set is the default: annual forms by
/// 31 January, quarterly 15 days after the quarter, monthly 10 days after the month).
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(DeadlinesQuery),
    responses((status = 200, body = Vec<Deadline>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/deadlines")]
pub async fn list_deadlines(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DeadlinesQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(deadlines::list(&state, &caller, query.into_inner().within).await?))
}

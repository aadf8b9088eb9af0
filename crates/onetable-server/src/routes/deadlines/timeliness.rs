//! `GET /api/v1/timeliness?within=&period=` (及时率)

use actix_web::{get, web, HttpResponse};
use onetable_app::deadlines::timeliness::{self, Timeliness};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelinessQuery {
    /// The region whose children are counted (default: the caller's scope).
    pub within: Option<String>,
    pub period: String,
}

/// For each child region: villages expected, submitted on time, late, not submitted, approved,
/// overdue; and the overdue villages, most overdue first — for reviewers and admins in scope.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(TimelinessQuery),
    responses((status = 200, body = Timeliness), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/timeliness")]
pub async fn get_timeliness(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<TimelinessQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    Ok(HttpResponse::Ok().json(timeliness::timeliness(&state, &caller, query.within, query.period).await?))
}

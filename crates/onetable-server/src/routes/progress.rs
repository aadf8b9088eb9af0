//! `GET /api/v1/progress?within=&period=` (填报进度)

use actix_web::{get, web, HttpResponse};
pub use onetable_app::dashboards::progress::ProgressRow;
use onetable_app::dashboards::progress::{self as dashboards, ProgressAsk};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// The region whose children are counted (default: the caller's scope).
    pub within: Option<String>,
    pub period: String,
}

/// For each child region: villages expected and their entries by status, for reviewers and admins.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(ProgressQuery),
    responses((status = 200, body = Vec<ProgressRow>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/progress")]
pub async fn progress(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ProgressQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let ask = ProgressAsk { within: query.within, period: query.period };
    let rows = dashboards::progress(&state, &caller, ask).await?;
    Ok(HttpResponse::Ok().json(rows))
}

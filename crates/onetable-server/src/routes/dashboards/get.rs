//! `GET /api/v1/dashboards/{id}`

use actix_web::{get, web, HttpResponse};
use onetable_app::dashboards::saved::{self, Dashboard};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// One saved dashboard, each item's period rule resolved today (`resolved_period`, and
/// `resolved_periods` for a line chart) — what to ask `/aggregates` and `/aggregates/series` for.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The dashboard's id")),
    responses(
        (status = 200, body = Dashboard),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "unknown, or not seen by the caller", body = ErrorBody),
    )
)]
#[get("/api/v1/dashboards/{id}")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(saved::get(&state, &caller, id.into_inner()).await?))
}

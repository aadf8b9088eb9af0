//! `PUT /api/v1/dashboards/{id}`

use actix_web::{put, web, HttpResponse};
use onetable_app::dashboards::saved::{self, Dashboard, DashboardInput};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// Replaces a saved dashboard (audited).
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The dashboard's id")),
    request_body = DashboardInput,
    responses(
        (status = 200, body = Dashboard),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[put("/api/v1/dashboards/{id}")]
pub async fn update_dashboard(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<DashboardInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(saved::update(&state, &caller, id.into_inner(), body.into_inner()).await?))
}

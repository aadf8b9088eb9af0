//! `POST /api/v1/dashboards`

use actix_web::{post, web, HttpResponse};
use onetable_app::dashboards::saved::{self, Dashboard, DashboardInput};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// Saves a dashboard for a region in the admin's scope (audited).
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    request_body = DashboardInput,
    responses(
        (status = 201, body = Dashboard),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 404, description = "a region outside the scope", body = ErrorBody),
        (status = 422, description = "items refused, one detail each, naming the field", body = ErrorBody),
    )
)]
#[post("/api/v1/dashboards")]
pub async fn create_dashboard(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<DashboardInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(saved::create(&state, &caller, body.into_inner()).await?))
}

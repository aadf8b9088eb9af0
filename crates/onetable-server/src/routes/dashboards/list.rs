//! `GET /api/v1/dashboards`

use actix_web::{get, web, HttpResponse};
use onetable_app::dashboards::saved::{self, DashboardList};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The saved dashboards the caller sees (shared ones in its scope; an admin also its unshared
/// ones), newest first, and the one it lands on after login.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    responses((status = 200, body = DashboardList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/dashboards")]
pub async fn list_dashboards(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(saved::list(&state, &caller).await?))
}

//! `POST /api/v1/indicators/check`

use actix_web::{post, web, HttpResponse};
use onetable_app::registry::read::{self, CheckRequest, CheckResult};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// Runs the duplicate guard on a name without creating anything — for admins, and for
/// departments drafting a data request who want the existing code.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    request_body = CheckRequest,
    responses((status = 200, body = CheckResult), (status = 403, body = ErrorBody))
)]
#[post("/api/v1/indicators/check")]
pub async fn check_indicator(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CheckRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(read::check(&state, &caller, body.into_inner()).await?))
}

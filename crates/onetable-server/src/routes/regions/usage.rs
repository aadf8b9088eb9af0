//! `GET /api/v1/regions/{code}/usage` (数据回流): who used a village's data.

use actix_web::{get, web, HttpResponse};
use onetable_app::sharing::usage;
pub use onetable_app::sharing::usage::{RegionUsage, Usage};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Which departments pulled data covering this region (pulls of it or of a region containing it),
/// under which request and purpose, which indicators, how many times and when last. For the
/// village's clerk, its reviewers and admins.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = RegionUsage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/regions/{code}/usage")]
pub async fn region_usage(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(usage::usage(&state, &caller, code.into_inner()).await?))
}

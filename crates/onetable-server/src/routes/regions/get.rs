//! `GET /api/v1/regions/{code}`

use actix_web::{get, web, HttpResponse};
use onetable_app::regions::{read, RegionDetail};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// A region, its ancestors (with names) and its recorded changes.
#[utoipa::path(
    tag = "regions",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "2, 4, 6, 9 or 12 digits", example = "522301")),
    responses(
        (status = 200, body = RegionDetail),
        (status = 400, description = "not a region code", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "auditors read only the audit trail", body = ErrorBody),
        (status = 404, description = "no such region, or outside the caller's scope", body = ErrorBody),
    )
)]
#[get("/api/v1/regions/{code}")]
pub async fn get_region(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(read::get(&state, &caller, &code).await?))
}

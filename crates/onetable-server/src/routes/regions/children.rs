//! `GET /api/v1/regions/{code}/children`

use actix_web::{get, web, HttpResponse};
use onetable_app::paging::Paging;
use onetable_app::regions::{read, RegionPage};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The current (not retired) children of a region, by code, paged.
#[utoipa::path(
    tag = "regions",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "the parent region", example = "522301"), Paging),
    responses(
        (status = 200, body = RegionPage),
        (status = 400, description = "bad code or paging", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "auditors read only the audit trail", body = ErrorBody),
        (status = 404, description = "no such region, or outside the caller's scope", body = ErrorBody),
    )
)]
#[get("/api/v1/regions/{code}/children")]
pub async fn list_children(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(read::children(&state, &caller, &code, *paging).await?))
}

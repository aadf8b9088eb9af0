//! `GET /api/v1/regions?q=&within=&level=`

use actix_web::{get, web, HttpResponse};
use onetable_app::paging::Paging;
use onetable_app::regions::read::{self, SearchParams};
use onetable_app::regions::RegionPage;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Searches current regions by name fragment, inside a region and/or at a level; ordered by level
/// then code. Only regions inside the caller's scope are found. With no filter it lists the whole
/// scope, paged (start with `level=province`).
#[utoipa::path(
    tag = "regions",
    security(("bearer" = [])),
    params(SearchParams, Paging),
    responses(
        (status = 200, body = RegionPage),
        (status = 400, description = "bad code or paging", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "auditors read only the audit trail", body = ErrorBody),
        (status = 404, description = "`within` names no region, or one outside the caller's scope", body = ErrorBody),
    )
)]
#[get("/api/v1/regions")]
pub async fn search_regions(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<SearchParams>,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(read::search(&state, &caller, params.into_inner(), *paging).await?))
}

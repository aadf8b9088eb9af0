//! `GET /api/v1/regions?q=&within=&level=`

use actix_web::{get, web, HttpResponse};
use onetable_store::regions::{self, RegionSearch};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{parse_code, region_not_found, require_reader, Level, Paging, Region, RegionPage};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A fragment of the name, e.g. `兴义`.
    pub q: Option<String>,
    /// Only regions inside this one.
    pub within: Option<String>,
    /// Only regions of this level.
    pub level: Option<Level>,
    /// Include retired codes.
    pub include_retired: Option<bool>,
}

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
    state.authorize(&caller, "regions.search", None, require_reader(&caller)).await?;
    let (limit, offset) = paging.resolve()?;
    let params = params.into_inner();
    let within = params.within.as_deref().map(|w| parse_code(w, "within")).transpose()?;
    if let Some(within) = within {
        // Searching a region that encloses the scope is fine: results are cut to the scope.
        let encloses_scope = caller.scope.region().is_some_and(|scope| within.contains(scope));
        if !encloses_scope {
            state.authorize(&caller, "regions.search", Some(within.to_string()), caller.require_read(within)).await?;
        }
    }
    let query = RegionSearch {
        name: params.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
        within,
        level: params.level.map(Into::into),
        include_retired: params.include_retired.unwrap_or(false),
        scope: caller.scope.region(),
    };
    let page = state
        .run(move |conn| {
            if let Some(within) = query.within {
                if regions::find(conn, within)?.is_none() {
                    return Err(region_not_found(within));
                }
            }
            let page = regions::search(conn, &query, limit, offset)?;
            Ok(RegionPage {
                items: page.items.into_iter().map(Region::from_row).collect::<Result<_, _>>()?,
                total: page.total,
                limit,
                offset,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

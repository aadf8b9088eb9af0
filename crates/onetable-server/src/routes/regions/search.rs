//! `GET /api/v1/regions?q=&within=&level=`

use actix_web::{get, web, HttpResponse};
use onetable_store::regions::{self, RegionSearch};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{parse_code, region_not_found, Level, Paging, Region, RegionPage};
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
/// then code. With no filter at all it lists everything, paged (start with `level=province`).
#[utoipa::path(
    tag = "regions",
    params(SearchParams, Paging),
    responses(
        (status = 200, body = RegionPage),
        (status = 400, description = "bad code or paging", body = ErrorBody),
        (status = 404, description = "`within` names no region", body = ErrorBody),
    )
)]
#[get("/api/v1/regions")]
pub async fn search_regions(
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = paging.resolve()?;
    let params = params.into_inner();
    let within = params
        .within
        .as_deref()
        .map(|w| parse_code(w, "within"))
        .transpose()?;
    let query = RegionSearch {
        name: params
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty()),
        within,
        level: params.level.map(Into::into),
        include_retired: params.include_retired.unwrap_or(false),
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
                items: page
                    .items
                    .into_iter()
                    .map(Region::from_row)
                    .collect::<Result<_, _>>()?,
                total: page.total,
                limit,
                offset,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

//! `GET /api/v1/indicators`

use actix_web::{get, web, HttpResponse};
use onetable_store::registry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{require_reader, Indicator};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorFilter {
    pub category: Option<String>,
    /// `draft`, `active` or `deprecated`.
    pub status: Option<String>,
    /// `annual`, `quarterly` or `monthly`.
    pub frequency: Option<String>,
    /// A fragment of the code or name.
    pub q: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorList {
    pub items: Vec<Indicator>,
    pub total: usize,
}

/// The current version of every indicator that matches, in form order.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(IndicatorFilter),
    responses((status = 200, body = IndicatorList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/indicators")]
pub async fn list_indicators(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<IndicatorFilter>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&caller, "indicators.read", None, require_reader(&caller)).await?;
    let filter = filter.into_inner();
    let mut rows: Vec<_> = state.run(|conn| Ok(registry::current(conn)?)).await?.into_values().collect();
    let q = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase);
    rows.retain(|row| {
        filter.category.as_deref().is_none_or(|c| row.category == c)
            && filter.status.as_deref().is_none_or(|s| row.status == s)
            && filter.frequency.as_deref().is_none_or(|f| row.frequency == f)
            && q.as_deref().is_none_or(|q| row.code.to_lowercase().contains(q) || row.name.contains(q))
    });
    rows.sort_by(|a, b| (a.sort_order, &a.code).cmp(&(b.sort_order, &b.code)));
    let items: Vec<Indicator> = rows.into_iter().map(Indicator::from).collect();
    Ok(HttpResponse::Ok().json(IndicatorList { total: items.len(), items }))
}

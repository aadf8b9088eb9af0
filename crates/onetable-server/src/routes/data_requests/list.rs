//! `GET /api/v1/data-requests` and `GET /api/v1/data-requests/{id}`.

use actix_web::{get, web, HttpResponse};
use onetable_app::sharing::requests;
use onetable_app::sharing::DataRequest;
use serde::Deserialize;
use utoipa::IntoParams;

use super::visible;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::params::Paging;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `pending`, `approved`, `rejected` or `revoked`.
    pub status: Option<String>,
}

pub use onetable_app::sharing::requests::DataRequestPage;

/// A department's own requests, or the requests an admin's region scope overlaps; newest first.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(ListQuery, Paging),
    responses((status = 200, body = DataRequestPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/data-requests")]
pub async fn list_requests(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let page = requests::list(&state, &caller, query.into_inner().status, (paging.limit, paging.offset)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One request, for its department and for admins whose scope overlaps it.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = DataRequest), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/data-requests/{id}")]
pub async fn get_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(visible(&state, &caller, id.into_inner()).await?))
}

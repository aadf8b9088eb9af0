//! `GET /api/v1/data-requests` and `GET /api/v1/data-requests/{id}`.

use actix_web::{get, web, HttpResponse};
use onetable_core::Role;
use onetable_store::sharing as store;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::visible;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::regions::Paging;
use crate::state::AppState;
use onetable_app::sharing::{list_scope, DataRequest};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `pending`, `approved`, `rejected` or `revoked`.
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DataRequestPage {
    pub items: Vec<DataRequest>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

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
    state.authorize(&caller, "data_request.list", None, caller.require_role(&[Role::Department, Role::Admin])).await?;
    let scope = list_scope(&caller)?;
    if let Some(status) = query.status.as_deref() {
        if !["pending", "approved", "rejected", "revoked"].contains(&status) {
            return Err(ApiError::bad_request("invalid_query", "status 须为 pending、approved、rejected 或 revoked"));
        }
    }
    let (limit, offset) = paging.resolve()?;
    let status = query.status.clone();
    let (rows, total) = state.run(move |conn| Ok(store::list(conn, &scope, status.as_deref(), limit, offset)?)).await?;
    let now = chrono::Utc::now().naive_utc();
    Ok(HttpResponse::Ok().json(DataRequestPage {
        items: rows.into_iter().map(|r| DataRequest::from_row(r, now)).collect(),
        total,
        limit,
        offset,
    }))
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

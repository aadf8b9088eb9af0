//! `POST /api/v1/data-requests/{id}/approve|reject|revoke`: an admin whose scope covers the
//! request's region decides.

use actix_web::{post, web, HttpResponse};
use onetable_app::sharing::requests::{self, Decision};
use onetable_app::sharing::DataRequest;
use onetable_app::text::Reason;
use onetable_app::AppResult;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

fn respond(decided: AppResult<DataRequest>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(decided?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = Decision)]
pub struct DecisionBody {
    /// Why (required to reject or revoke; shown to the department).
    #[serde(default)]
    #[schema(inline)]
    pub reason: Option<Reason>,
}

/// Whether the approval grants the records' full values.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApproveQuery {
    /// `true`: the registers' records are pulled in full, not masked (only for a request that
    /// asked for full values).
    pub full_values: Option<bool>,
}

/// Approves a pending request: pulls are allowed from now until it expires.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path), ApproveQuery),
    responses((status = 200, body = DataRequest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
#[post("/api/v1/data-requests/{id}/approve")]
pub async fn approve_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<ApproveQuery>,
) -> Result<HttpResponse, ApiError> {
    let full = query.full_values.unwrap_or(false);
    respond(requests::decide_with(&state, &caller, id.into_inner(), Decision::Approve, None, full).await)
}

/// Rejects a pending request, with a reason.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = DecisionBody,
    responses((status = 200, body = DataRequest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/data-requests/{id}/reject")]
pub async fn reject_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason.map(String::from);
    respond(requests::decide(&state, &caller, id.into_inner(), Decision::Reject, reason).await)
}

/// Revokes an approved request, with a reason: pulls stop at once.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = DecisionBody,
    responses((status = 200, body = DataRequest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/data-requests/{id}/revoke")]
pub async fn revoke_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason.map(String::from);
    respond(requests::decide(&state, &caller, id.into_inner(), Decision::Revoke, reason).await)
}

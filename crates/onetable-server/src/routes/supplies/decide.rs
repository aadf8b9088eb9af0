//! `POST /api/v1/supplies/{id}/approve|reject|revoke`: an admin over the supply's region decides.

use actix_web::{post, web, HttpResponse};
use onetable_app::sharing::requests::Decision;
use onetable_app::supplies::{grants, Supply};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::data_requests::decide::DecisionBody;
use crate::routes::json::Json;
use crate::state::AppState;

async fn decide(
    state: &AppState,
    caller: &Caller,
    id: i64,
    decision: Decision,
    body: Option<Json<DecisionBody>>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.and_then(|b| b.into_inner().reason).map(String::from);
    Ok(HttpResponse::Ok().json(grants::decide(state, caller, id, decision, reason).await?))
}

/// Approves a pending supply: its department may push values from now on. Refused (409) when
/// another approved supply holds one of its indicators in the region.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Supply), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
#[post("/api/v1/supplies/{id}/approve")]
pub async fn approve_supply(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    decide(&state, &caller, id.into_inner(), Decision::Approve, None).await
}

/// Rejects a pending supply, with a reason.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = DecisionBody,
    responses((status = 200, body = Supply), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/supplies/{id}/reject")]
pub async fn reject_supply(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    decide(&state, &caller, id.into_inner(), Decision::Reject, Some(body)).await
}

/// Revokes an approved supply, with a reason: pushes stop at once; values already supplied stay.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = DecisionBody,
    responses((status = 200, body = Supply), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/supplies/{id}/revoke")]
pub async fn revoke_supply(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    decide(&state, &caller, id.into_inner(), Decision::Revoke, Some(body)).await
}

//! `POST /api/v1/data-requests/{id}/approve|reject|revoke`: an admin whose scope covers the
//! request's region decides.

use actix_web::{post, web, HttpResponse};
use onetable_core::{RegionCode, Role};
use onetable_store::sharing as store;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{not_found, visible};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::sharing::{DataRequest, APPROVED, PENDING, REJECTED, REVOKED};
use onetable_app::text::Reason;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Decision {
    /// Why (required to reject or revoke; shown to the department).
    #[serde(default)]
    #[schema(inline)]
    pub reason: Option<Reason>,
}

async fn decide(
    state: &AppState,
    caller: &Caller,
    id: i64,
    (from, to, action): (&'static str, &'static str, &'static str),
    reason: Option<String>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(caller, action, Some(id.to_string()), caller.require_role(&[Role::Admin])).await?;
    let request = visible(state, caller, id).await?;
    let region = RegionCode::parse(&request.region).map_err(ApiError::internal)?;
    state.authorize(caller, action, Some(id.to_string()), caller.require_write(region)).await?;
    let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if to != APPROVED && reason.is_none() {
        return Err(ApiError::unprocessable("reason_required", "驳回或撤销须说明理由").with_detail(
            Some("reason"),
            "required",
            "请填写理由",
        ));
    }
    if request.status != from {
        return Err(ApiError::conflict(
            "invalid_state",
            format!("数据需求当前状态为 {}，不能执行此操作", request.status),
        ));
    }
    let now = chrono::Utc::now().naive_utc();
    let by = caller.subject.clone();
    let why = reason.clone();
    let row = state
        .write(move |conn| {
            if !store::decide(conn, id, from, to, &by, why.as_deref(), now)? {
                return Err(ApiError::conflict("invalid_state", "数据需求的状态刚被他人改变，请刷新后重试"));
            }
            store::find(conn, id)?.ok_or_else(|| not_found(id))
        })
        .await?;
    let mut event = caller.event(action, Some(id.to_string()), "success");
    event.detail = reason;
    state.audit(event).await?;
    Ok(HttpResponse::Ok().json(DataRequest::from_row(row, now)))
}

/// Approves a pending request: pulls are allowed from now until it expires.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = DataRequest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
#[post("/api/v1/data-requests/{id}/approve")]
pub async fn approve_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    decide(&state, &caller, id.into_inner(), (PENDING, APPROVED, "data_request.approve"), None).await
}

/// Rejects a pending request, with a reason.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = Decision,
    responses((status = 200, body = DataRequest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/data-requests/{id}/reject")]
pub async fn reject_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<Decision>,
) -> Result<HttpResponse, ApiError> {
    decide(
        &state,
        &caller,
        id.into_inner(),
        (PENDING, REJECTED, "data_request.reject"),
        body.into_inner().reason.map(String::from),
    )
    .await
}

/// Revokes an approved request, with a reason: pulls stop at once.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = Decision,
    responses((status = 200, body = DataRequest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/data-requests/{id}/revoke")]
pub async fn revoke_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<Decision>,
) -> Result<HttpResponse, ApiError> {
    decide(
        &state,
        &caller,
        id.into_inner(),
        (APPROVED, REVOKED, "data_request.revoke"),
        body.into_inner().reason.map(String::from),
    )
    .await
}

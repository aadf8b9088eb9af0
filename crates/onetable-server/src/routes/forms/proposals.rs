//! `GET /api/v1/indicator-proposals`, `POST /api/v1/indicator-proposals/{id}/accept|reject`

use actix_web::{get, post, web, HttpResponse};
use onetable_app::legacy::proposals::{self, Accepted, Proposal, RejectInput};
use onetable_app::registry::inputs::IndicatorInput;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ProposalQuery {
    /// `pending`, `accepted` or `rejected`; all when absent.
    pub status: Option<String>,
}

/// Proposed indicators from departments' forms: an admin sees all, a department its own.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    params(ProposalQuery),
    responses((status = 200, body = Vec<Proposal>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[get("/api/v1/indicator-proposals")]
pub async fn list_proposals(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ProposalQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(proposals::list(&state, &caller, query.into_inner().status).await?))
}

/// An admin accepts a proposal as a new indicator, completing its definition (as
/// `POST /api/v1/indicators`, through the duplicate guard). The indicator and the decision are
/// written together, or neither.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = IndicatorInput,
    responses(
        (status = 200, body = Accepted),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "decided already, an existing code, or a duplicate of an indicator", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("/api/v1/indicator-proposals/{id}/accept")]
pub async fn accept_proposal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<IndicatorInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(proposals::accept(&state, &caller, id.into_inner(), body.into_inner()).await?))
}

/// An admin rejects a proposal with a reason the department reads.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = RejectInput,
    responses((status = 200, body = Proposal), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/indicator-proposals/{id}/reject")]
pub async fn reject_proposal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<RejectInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(proposals::reject(&state, &caller, id.into_inner(), body.into_inner()).await?))
}

//! `POST|GET /api/v1/quality/follow-ups`, `POST /api/v1/quality/follow-ups/{id}/close`

use actix_web::{get, post, web, HttpResponse};
use onetable_app::quality::follow_ups::{self, CloseFollowUp, FollowUp, FollowUpQuery, NewFollowUp};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// A reviewer marks a village's value for follow-up (跟进) with a note: it stays in the queue until
/// the value changes (resolved by that write) or the reviewer closes it with a reason.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    request_body = NewFollowUp,
    responses(
        (status = 201, body = FollowUp),
        (status = 403, body = ErrorBody),
        (status = 409, description = "`follow_up_open`: already followed up", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("/api/v1/quality/follow-ups")]
pub async fn mark_follow_up(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewFollowUp>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(follow_ups::mark(&state, &caller, body.into_inner()).await?))
}

/// The follow-up queue: open ones (or `status=all`) inside a region, newest first — a clerk its
/// village's, a reviewer or admin those of its scope.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(FollowUpQuery),
    responses((status = 200, body = Vec<FollowUp>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/quality/follow-ups")]
pub async fn list_follow_ups(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<FollowUpQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(follow_ups::list(&state, &caller, query.into_inner()).await?))
}

/// The reviewer closes a follow-up without a change, saying why.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = CloseFollowUp,
    responses(
        (status = 200, body = FollowUp),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "no longer open", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("/api/v1/quality/follow-ups/{id}/close")]
pub async fn close_follow_up(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<CloseFollowUp>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(follow_ups::close(&state, &caller, id.into_inner(), body.into_inner()).await?))
}

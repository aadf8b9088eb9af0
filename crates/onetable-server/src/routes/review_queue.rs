//! `GET /api/v1/review-queue` — the reviewer's queue (待审核).

use actix_web::{get, web, HttpResponse};
use onetable_app::entries::review_queue::{self as waiting, QueueFilter, ReviewQueue};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The submitted forms of the villages in the caller's scope (or inside `within`), the longest
/// waiting first. For reviewers and admins.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(QueueFilter),
    responses(
        (status = 200, body = ReviewQueue),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "reviewers and admins only", body = ErrorBody),
        (status = 404, description = "`within` unknown or outside the scope", body = ErrorBody),
    )
)]
#[get("/api/v1/review-queue")]
pub async fn review_queue(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<QueueFilter>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(waiting::queue(&state, &caller, filter.into_inner()).await?))
}

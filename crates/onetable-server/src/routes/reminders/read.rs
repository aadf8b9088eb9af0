//! `POST /api/v1/reminders/{id}/read`

use actix_web::{post, web, HttpResponse};
use onetable_app::reminders;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The clerk marks a reminder of its village read; the sender sees who read it and when.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204, description = "read"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[post("/api/v1/reminders/{id}/read")]
pub async fn read_reminder(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    reminders::read(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

//! `GET /api/v1/reminders/mine`

use actix_web::{get, web, HttpResponse};
use onetable_app::reminders::{self, Reminder};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The clerk's reminders of forms not yet submitted, newest first.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Reminder>), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/reminders/mine")]
pub async fn my_reminders(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(reminders::mine(&state, &caller).await?))
}

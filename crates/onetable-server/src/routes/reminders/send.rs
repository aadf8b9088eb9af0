//! `POST /api/v1/reminders`

use actix_web::{post, web, HttpResponse};
use onetable_app::reminders::{self, Reminder, ReminderAsk};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct SendReminder {
    /// The period whose form is late, e.g. `2025`.
    pub period: String,
    /// Village codes (12 digits), all in the sender's scope.
    pub villages: Vec<String>,
    /// At most 500 characters; default: which form, and its due date.
    pub message: Option<String>,
}

/// A reviewer or admin reminds villages of a late form. Every village must be in scope (403
/// otherwise, nothing sent); each may get 3 a day (429 `reminder_limit`, nothing sent). Where the
/// township or county has a chat group robot, the reminder is posted there too.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    request_body = SendReminder,
    responses(
        (status = 201, body = Vec<Reminder>),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "`reminder_limit`", body = ErrorBody),
    )
)]
#[post("/api/v1/reminders")]
pub async fn send_reminder(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<SendReminder>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let ask = ReminderAsk { period: body.period, villages: body.villages, message: body.message };
    Ok(HttpResponse::Created().json(reminders::send(&state, &caller, ask).await?))
}

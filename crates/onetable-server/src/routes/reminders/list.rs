//! `GET /api/v1/reminders?within=&period=`

use actix_web::{get, web, HttpResponse};
use onetable_app::reminders::{self, Reminder};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemindersQuery {
    /// Default: the caller's scope.
    pub within: Option<String>,
    pub period: Option<String>,
}

/// The reminders sent to villages in scope, newest first, with who read each and when.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(RemindersQuery),
    responses((status = 200, body = Vec<Reminder>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/reminders")]
pub async fn list_reminders(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<RemindersQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    Ok(HttpResponse::Ok().json(reminders::sent(&state, &caller, query.within, query.period).await?))
}

//! `PUT /api/v1/deadlines`

use actix_web::{put, web, HttpResponse};
use onetable_app::deadlines::{self, Deadline, DeadlineChange};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// A standing rule (`frequency` and `days_after`) or one period's date (`period` and `due`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetDeadline {
    /// The county, prefecture or province it is set for (12 digits).
    pub region: String,
    /// `annual`, `quarterly` or `monthly`, with `days_after`.
    pub frequency: Option<String>,
    /// Days after the period's end, 0–366.
    pub days_after: Option<i64>,
    /// One period, e.g. `2025Q1`, with `due`.
    pub period: Option<String>,
    /// `YYYY-MM-DD`, not before the period ends.
    pub due: Option<String>,
}

/// Sets when its villages' forms are due, for an admin's county, prefecture or province; the
/// nearest region's setting wins, and a period's date beats the frequency's rule.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    request_body = SetDeadline,
    responses(
        (status = 200, body = Deadline),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "naming the field: a date before the period ends, days out of range", body = ErrorBody),
    )
)]
#[put("/api/v1/deadlines")]
pub async fn set_deadline(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<SetDeadline>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let change = DeadlineChange {
        region: body.region,
        frequency: body.frequency,
        days_after: body.days_after,
        period: body.period,
        due: body.due,
    };
    Ok(HttpResponse::Ok().json(deadlines::set(&state, &caller, change).await?))
}

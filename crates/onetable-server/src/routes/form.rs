//! `GET /api/v1/form?period=` — the one form (一张表) of a period.

use actix_web::{get, web, HttpResponse};
use onetable_app::registry::period_form::{self, Form};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormQuery {
    /// `2025` (annual), `2025Q3` (quarterly) or `2025-09` (monthly).
    pub period: String,
}

/// Everything a client needs to render the entry form of a period: sections (categories, in the
/// catalogue's order) of the active indicators of that period's frequency, and the rules.
#[utoipa::path(
    tag = "registry",
    security(("bearer" = [])),
    params(FormQuery),
    responses((status = 200, body = Form), (status = 400, description = "bad period", body = ErrorBody))
)]
#[get("/api/v1/form")]
pub async fn get_form(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<FormQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(period_form::form(&state, &caller, &query.period).await?))
}

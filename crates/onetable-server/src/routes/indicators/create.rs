//! `POST /api/v1/indicators`

use actix_web::{post, web, HttpResponse};

use super::{IndicatorInput, SavedIndicator};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::registry::manage;

/// Creates an indicator (version 1). Refused with 409 when an active indicator has the same
/// normalised name (or name and unit); similar names come back as warnings.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    request_body = IndicatorInput,
    responses(
        (status = 201, body = SavedIndicator),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 409, description = "`indicator_exists` or `duplicate_indicator` (details name the codes)", body = ErrorBody),
        (status = 422, description = "invalid definition or formula (positions in the messages)", body = ErrorBody),
    )
)]
#[post("/api/v1/indicators")]
pub async fn create_indicator(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<IndicatorInput>,
) -> Result<HttpResponse, ApiError> {
    let saved = manage::create_indicator(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(SavedIndicator::from(saved)))
}

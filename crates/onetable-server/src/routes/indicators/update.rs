//! `PUT /api/v1/indicators/{code}`

use actix_web::{put, web, HttpResponse};

use super::{IndicatorInput, SavedIndicator};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::registry::manage;

/// Replaces the definition with a new version. Compatible changes always pass; a breaking change
/// is refused (409, one detail per breaking change) once the indicator has stored values.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "POP.REGISTERED")),
    request_body = IndicatorInput,
    responses(
        (status = 200, body = SavedIndicator),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`breaking_change` over stored data, or `duplicate_indicator`", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[put("/api/v1/indicators/{code}")]
pub async fn update_indicator(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    body: Json<IndicatorInput>,
) -> Result<HttpResponse, ApiError> {
    let saved = manage::update_indicator(&state, &caller, code.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SavedIndicator::from(saved)))
}

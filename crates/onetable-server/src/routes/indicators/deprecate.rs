//! `POST /api/v1/indicators/{code}/deprecate`

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::SavedIndicator;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::registry::manage;
use onetable_app::text::Reason;

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeprecateRequest {
    /// Why, e.g. the code that replaces it.
    #[schema(inline)]
    pub reason: Reason,
}

/// Retires an indicator: a new version with status `deprecated`. Its values stay readable; new
/// formulas may not reference it, and it leaves the form.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(("code" = String, Path)),
    request_body = DeprecateRequest,
    responses((status = 200, body = SavedIndicator), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[post("/api/v1/indicators/{code}/deprecate")]
pub async fn deprecate_indicator(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    body: Json<DeprecateRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason.into();
    let saved = manage::deprecate_indicator(&state, &caller, code.into_inner(), reason).await?;
    Ok(HttpResponse::Ok().json(SavedIndicator::from(saved)))
}

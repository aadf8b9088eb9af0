//! `POST /api/v1/indicators/check`

use actix_web::{post, web, HttpResponse};
use onetable_store::registry as store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::require_reader;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::registry::{self, Similar};

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckRequest {
    #[schema(example = "低保户数")]
    pub name: String,
    #[serde(default)]
    pub unit: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResult {
    /// True when creating an indicator with this name would be refused as a duplicate.
    pub would_be_refused: bool,
    pub duplicates: Vec<Similar>,
    pub near_matches: Vec<Similar>,
}

/// Runs the duplicate guard on a name without creating anything — for admins, and for
/// departments drafting a data request who want the existing code.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    request_body = CheckRequest,
    responses((status = 200, body = CheckResult), (status = 403, body = ErrorBody))
)]
#[post("/api/v1/indicators/check")]
pub async fn check_indicator(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CheckRequest>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&caller, "indicators.check", None, require_reader(&caller)).await?;
    let CheckRequest { name, unit } = body.into_inner();
    let current = state.run(|conn| Ok(store::current(conn)?)).await?;
    let report = registry::duplicates(name.trim(), unit.trim(), None, &current);
    Ok(HttpResponse::Ok().json(CheckResult {
        would_be_refused: !report.duplicates.is_empty(),
        duplicates: report.duplicates,
        near_matches: report.near_matches,
    }))
}

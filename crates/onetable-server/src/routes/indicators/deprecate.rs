//! `POST /api/v1/indicators/{code}/deprecate`

use actix_web::{post, web, HttpResponse};
use onetable_core::indicator::IndicatorStatus;
use onetable_core::Role;
use onetable_store::registry as store;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{indicator_not_found, SavedIndicator};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::registry;
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
    let code = code.into_inner();
    state.authorize(&caller, "indicators.deprecate", Some(code.clone()), caller.require_role(&[Role::Admin])).await?;
    let reason = body.into_inner().reason;
    if reason.trim().is_empty() {
        return Err(ApiError::unprocessable("validation_failed", "请说明停用原因").with_detail(
            Some("reason"),
            "required",
            "停用原因不能为空",
        ));
    }
    let (actor, target) = (caller.subject.clone(), code.clone());
    let now = chrono::Utc::now().naive_utc();
    let saved = state
        .run(move |conn| {
            let current = store::current(conn)?;
            let row = current.get(&target).ok_or_else(|| indicator_not_found(&target))?;
            let mut def = row.to_def().map_err(ApiError::internal)?;
            def.status = IndicatorStatus::Deprecated;
            // A formula that reads deprecated codes is still valid for what it already computes.
            Ok(registry::update(conn, &def, &actor, now, Some(reason.into()))?)
        })
        .await?;
    state.audit(caller.event("indicators.deprecate", Some(code), "success")).await?;
    state.forms.invalidate();
    Ok(HttpResponse::Ok().json(SavedIndicator::from(saved)))
}

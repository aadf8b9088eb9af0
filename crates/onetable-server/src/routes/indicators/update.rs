//! `PUT /api/v1/indicators/{code}`

use actix_web::{put, web, HttpResponse};
use onetable_core::Role;

use super::{IndicatorInput, SavedIndicator};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::registry;

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
    let code = code.into_inner();
    state.authorize(&caller, "indicators.update", Some(code.clone()), caller.require_role(&[Role::Admin])).await?;
    let input = body.into_inner();
    let def = input.to_def(&code)?;
    let (actor, note) = (caller.subject.clone(), input.change_note);
    let now = chrono::Utc::now().naive_utc();
    let saved = state.run(move |conn| Ok(registry::update(conn, &def, &actor, now, note)?)).await?;
    if saved.written {
        let mut event = caller.event("indicators.update", Some(code), "success");
        event.detail = Some(format!("version {}", saved.row.version));
        state.audit(event).await?;
    }
    state.forms.invalidate();
    Ok(HttpResponse::Ok().json(SavedIndicator::from(saved)))
}

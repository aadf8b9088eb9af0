//! `DELETE /api/v1/dashboards/{id}`

use actix_web::{delete, web, HttpResponse};
use onetable_app::dashboards::saved;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Deletes a saved dashboard (audited).
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The dashboard's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[delete("/api/v1/dashboards/{id}")]
pub async fn delete_dashboard(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    saved::delete(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

//! `POST /api/v1/auth/logout`

use actix_web::{post, web, HttpResponse};
use onetable_app::accounts::standing;

use crate::auth::UngatedCaller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Revokes the presented token (its `jti`) until it would have expired.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "revoked"), (status = 401, body = ErrorBody))
)]
#[post("/api/v1/auth/logout")]
pub async fn logout(state: web::Data<AppState>, caller: UngatedCaller) -> Result<HttpResponse, ApiError> {
    standing::logout(&state, &caller, caller.jti.clone(), caller.expires_at).await?;
    // This process's cache of checked tokens would otherwise let the revoked one through a while.
    state.token_checks.forget_all();
    Ok(HttpResponse::NoContent().finish())
}

//! `POST /api/v1/auth/logout`

use actix_web::{post, web, HttpResponse};
use chrono::DateTime;
use onetable_store::identity;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Revokes the presented token (its `jti`) until it would have expired.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "revoked"), (status = 401, body = ErrorBody))
)]
#[post("/api/v1/auth/logout")]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let jti = caller.jti.clone();
    let expires_at = DateTime::from_timestamp(caller.expires_at, 0)
        .ok_or_else(|| ApiError::internal("token expiry out of range"))?
        .naive_utc();
    state.run(move |conn| Ok(identity::revoke_token(conn, &jti, expires_at, chrono::Utc::now().naive_utc())?)).await?;
    state.token_checks.forget_all();
    state.audit(caller.event("auth.logout", Some(caller.subject.clone()), "success")).await?;
    Ok(HttpResponse::NoContent().finish())
}

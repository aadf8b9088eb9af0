//! `POST /api/v1/me/password`

use actix_web::{post, web, HttpRequest, HttpResponse};
use onetable_app::accounts::passwords::{self, OwnPasswordChange};
use serde::Deserialize;
use utoipa::ToSchema;

use super::session::start_session;
use super::{rate_limit, token_response};
use crate::auth::{RequestContext, UngatedCaller};
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct ChangePassword {
    /// The password the person signed in with.
    pub current: String,
    /// At least 10 characters, 3 of lower/upper/digit/symbol, not containing the username, not
    /// the current one nor one of the last few.
    pub new: String,
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePassword { .. }")
    }
}

/// A person changes its own password — the one request open to an account that must choose its
/// own (`password_change_required`). Every session of the account ends but this one, which gets
/// a fresh token: a browser session a new cookie and CSRF token (as `POST /api/v1/auth/session`
/// answers), a bearer caller a new access token (as `POST /api/v1/auth/login` answers).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, description = "changed; the new token (bearer) or session (cookie)", body = super::TokenResponse),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a department system, or a missing CSRF token", body = ErrorBody),
        (status = 422, description = "`current` wrong, or `new` refused by the policy or reused", body = ErrorBody),
        (status = 429, description = "too many attempts from this address", body = ErrorBody),
    )
)]
#[post("/api/v1/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    context: RequestContext,
    caller: UngatedCaller,
    body: Json<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    // Guessing the current password here is guessing a login: the same limit per address.
    rate_limit(&state, &context)?;
    let ChangePassword { current, new } = body.into_inner();
    let signed_in = passwords::change_own(&state, &caller, OwnPasswordChange { current, new }).await?;
    state.token_checks.forget_all();
    if caller.csrf.is_some() {
        start_session(&state, &req, signed_in).await
    } else {
        token_response(&state, signed_in).await
    }
}

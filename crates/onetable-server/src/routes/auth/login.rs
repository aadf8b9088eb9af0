//! `POST /api/v1/auth/login`

use actix_web::{post, web, HttpResponse};
use onetable_app::accounts::sessions::{self, Lockout, SignedIn};
use onetable_app::Origin;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{rate_limit, token_response, TokenResponse};
use crate::auth::RequestContext;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest").field("username", &self.username).finish_non_exhaustive()
    }
}

/// Logs a person in with username and password and returns a short-lived access token.
/// After repeated failures the account is locked for a while.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "wrong username or password, or locked", body = ErrorBody),
        (status = 429, description = "too many attempts from this address", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    context: RequestContext,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let signed_in = sign_in(&state, context, body.into_inner()).await?;
    token_response(&state, signed_in).await
}

/// A person's sign-in, for a token or a browser session alike: rate limited per address, locked
/// out after repeated failures, audited.
///
/// # Errors
/// 429 too many attempts from the address, 401 for any failed sign-in.
pub async fn sign_in(state: &AppState, context: RequestContext, request: LoginRequest) -> Result<SignedIn, ApiError> {
    rate_limit(state, &context)?;
    let LoginRequest { username, password } = request;
    let lockout = Lockout { attempts: state.policy.lockout_attempts, seconds: state.policy.lockout_seconds };
    let origin = Origin { request_id: context.request_id, client_addr: context.client_addr };
    Ok(sessions::sign_in(state, username, password, lockout, &origin).await?)
}

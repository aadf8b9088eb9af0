//! Authentication endpoints: login, client credentials, logout, the caller's identity, JWKS.

pub mod jwks;
pub mod login;
pub mod logout;
pub mod me;
pub mod password;
pub mod session;
pub mod token;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::tokens::{self, Claims, SubjectKind};
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::state::AppState;

/// An issued access token (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
    /// The person must choose a new password (`POST /api/v1/me/password`) before anything else:
    /// every other request answers 403 `password_change_required`.
    pub password_change_required: bool,
    /// When the password expires; absent when passwords do not expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The identity a token will carry: who signed in.
pub use onetable_app::accounts::sessions::SignedIn as Grant;

/// Signs a token for `grant` with the newest key and answers with it, marked not to be cached
/// (RFC 6749 §5.1). The key ring is re-read first, so a key rotated by `onetable keys rotate`
/// signs at once, in every running server (issuing is rare next to validating).
///
/// # Errors
/// When no key can sign.
pub async fn token_response(state: &AppState, grant: Grant) -> Result<HttpResponse, ApiError> {
    let password_expires_at = grant.password_expires_at.map(|at| at.and_utc());
    let (access_token, claims) = issue_token(state, grant, None).await?;
    Ok(HttpResponse::Ok().insert_header(("cache-control", "no-store")).insert_header(("pragma", "no-cache")).json(
        TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: claims.exp - claims.iat,
            password_change_required: claims.password_change_required,
            password_expires_at,
        },
    ))
}

/// Signs a token for `grant` (with the CSRF token of a browser session, if any).
///
/// # Errors
/// When no key can sign.
pub async fn issue_token(state: &AppState, grant: Grant, csrf: Option<String>) -> Result<(String, Claims), ApiError> {
    reload_keys(state).await?;
    let lifetime = match grant.kind {
        SubjectKind::User | SubjectKind::Operator => state.policy.user_token_seconds,
        SubjectKind::Client => state.policy.client_token_seconds,
    };
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        iss: state.policy.tokens.issuer.clone(),
        aud: state.policy.tokens.audience.clone(),
        sub: grant.subject,
        exp: now + lifetime,
        iat: now,
        jti: uuid::Uuid::new_v4().to_string(),
        kind: grant.kind,
        role: grant.role,
        region: grant.region,
        department: grant.department,
        generation: grant.generation,
        csrf,
        password_change_required: grant.password_change_required,
    };
    let access_token = tokens::issue(&state.keys, &claims).map_err(ApiError::internal)?;
    Ok((access_token, claims))
}

/// Re-reads the active signing keys from the database.
///
/// # Errors
/// On a database error.
pub async fn reload_keys(state: &AppState) -> Result<(), ApiError> {
    let keys = state.keys.clone();
    state.run(move |conn| keys.reload(conn).map_err(ApiError::internal)).await
}

/// 429 when the address has tried too often.
///
/// # Errors
/// When the limit is reached.
pub fn rate_limit(state: &AppState, context: &RequestContext) -> Result<(), ApiError> {
    let Some(address) = context.client_addr.as_deref().and_then(|a| a.parse().ok()) else {
        return Ok(());
    };
    state.login_limiter.check(address).map_err(|wait| {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("尝试过于频繁，请 {wait} 秒后再试"))
            .with_retry_after(wait)
    })
}

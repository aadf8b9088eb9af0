//! Browser sessions (网页登录): `POST /api/v1/auth/session` signs a person in and sets an
//! `HttpOnly`, `SameSite=Strict` cookie holding the access token (`Secure` over TLS), so no script
//! of the page ever holds it; `GET` answers the session's CSRF token, which every unsafe request
//! authenticated by the cookie must carry in `X-CSRF-Token`; `DELETE` ends it. Bearer tokens keep
//! working for machine clients.

use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use onetable_app::accounts::standing;
use serde::Serialize;
use utoipa::ToSchema;

use super::issue_token;
use super::login::{sign_in, LoginRequest};
use crate::auth::{RequestContext, UngatedCaller, SESSION_COOKIE};
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// A browser session, as the page may know it (never the token itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct BrowserSession {
    /// Send it as `X-CSRF-Token` with every POST, PUT, PATCH and DELETE.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// The person must choose a new password before anything else (the pages lead it there).
    pub password_change_required: bool,
    /// When the password expires; absent when passwords do not expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_expires_at: Option<DateTime<Utc>>,
}

fn cookie<'c>(req: &HttpRequest, value: String, max_age: Duration) -> Cookie<'c> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(req.connection_info().scheme() == "https")
        .max_age(max_age)
        .finish()
}

/// Signs a person in for the web pages: sets the session cookie and answers the CSRF token.
/// Locked out and rate limited as `POST /api/v1/auth/login`.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = BrowserSession, headers(("set-cookie" = String, description = "the HttpOnly session cookie"))),
        (status = 401, description = "wrong username or password, or locked", body = ErrorBody),
        (status = 429, description = "too many attempts from this address", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/session")]
pub async fn create_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    context: RequestContext,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let signed_in = sign_in(&state, context, body.into_inner()).await?;
    start_session(&state, &req, signed_in).await
}

/// Issues a browser session for `signed_in`: the cookie, and the CSRF token in the answer.
///
/// # Errors
/// When no key can sign.
pub async fn start_session(
    state: &AppState,
    req: &HttpRequest,
    signed_in: onetable_app::accounts::sessions::SignedIn,
) -> Result<HttpResponse, ApiError> {
    let csrf_token = uuid::Uuid::new_v4().simple().to_string();
    let password_expires_at = signed_in.password_expires_at.map(|at| at.and_utc());
    let (token, claims) = issue_token(state, signed_in, Some(csrf_token.clone())).await?;
    let lifetime = claims.exp - claims.iat;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .cookie(cookie(req, token, Duration::seconds(lifetime)))
        .json(BrowserSession {
            csrf_token,
            expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or_default(),
            password_change_required: claims.password_change_required,
            password_expires_at,
        }))
}

/// The current browser session's CSRF token and expiry; 401 without a session cookie.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, body = BrowserSession), (status = 401, body = ErrorBody))
)]
#[get("/api/v1/auth/session")]
pub async fn get_session(state: web::Data<AppState>, caller: UngatedCaller) -> Result<HttpResponse, ApiError> {
    let csrf_token = caller.csrf.clone().ok_or_else(crate::auth::unauthorized)?;
    let me = standing::me(&state, &caller, caller.expires_at).await?;
    Ok(HttpResponse::Ok().json(BrowserSession {
        csrf_token,
        expires_at: DateTime::from_timestamp(caller.expires_at, 0).unwrap_or_default(),
        password_change_required: caller.password_change_required,
        password_expires_at: me.password_expires_at,
    }))
}

/// Ends the browser session: the token is revoked and the cookie cleared.
#[utoipa::path(
    tag = "auth",
    responses((status = 204, description = "signed out"), (status = 401, body = ErrorBody), (status = 403, description = "missing or wrong CSRF token", body = ErrorBody))
)]
#[delete("/api/v1/auth/session")]
pub async fn delete_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: UngatedCaller,
) -> Result<HttpResponse, ApiError> {
    standing::logout(&state, &caller, caller.jti.clone(), caller.expires_at).await?;
    state.token_checks.forget_all();
    Ok(HttpResponse::NoContent().cookie(cookie(&req, String::new(), Duration::ZERO)).finish())
}

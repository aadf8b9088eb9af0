//! `POST /api/v1/auth/token`: OAuth2 client credentials (RFC 6749 §4.4) for department systems.

use actix_web::{post, web, HttpRequest, HttpResponse};
use base64::Engine;
use onetable_app::accounts::sessions;
use onetable_app::Origin;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{rate_limit, token_response, TokenResponse};
use crate::auth::RequestContext;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// `application/x-www-form-urlencoded`; the client may authenticate with HTTP Basic instead of
/// the two client fields (RFC 6749 §2.3.1).
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Issues an access token to a department system for its client id and secret.
#[utoipa::path(
    tag = "auth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, description = "`invalid_request` or `unsupported_grant_type`", body = ErrorBody),
        (status = 401, description = "`invalid_client`", body = ErrorBody),
        (status = 429, description = "too many attempts from this address", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    context: RequestContext,
    req: HttpRequest,
    form: web::Form<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    rate_limit(&state, &context)?;
    let form = form.into_inner();
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        None => {
            return Err(ApiError::bad_request("invalid_request", "缺少 grant_type").with_detail(
                Some("grant_type"),
                "required",
                "应为 client_credentials",
            ))
        }
        Some(_) => {
            return Err(ApiError::bad_request("unsupported_grant_type", "仅支持 grant_type=client_credentials"));
        }
    }
    let (client_id, secret) = match (basic_credentials(&req), form.client_id, form.client_secret) {
        (Some(pair), _, _) => pair,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => {
            return Err(ApiError::bad_request("invalid_request", "缺少 client_id 或 client_secret"));
        }
    };
    if onetable_core::text::check_chars(&client_id).is_err() || onetable_core::text::check_chars(&secret).is_err() {
        return Err(ApiError::bad_request("invalid_request", "client_id 或 client_secret 含不允许的字符"));
    }
    let origin = Origin { request_id: context.request_id, client_addr: context.client_addr };
    let signed_in = sessions::client_sign_in(&state, client_id, secret, &origin).await?;
    token_response(&state, signed_in).await
}

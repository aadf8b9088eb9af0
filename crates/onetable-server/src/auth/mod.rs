//! Authentication and authorization: who is calling (`Caller`, from a bearer token) and what they
//! may reach (role and region scope). Every protected handler takes a `Caller`.

pub mod checks;
pub mod keys;
pub mod rate_limit;
pub mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use onetable_app::accounts::standing::{self, TokenFacts};
use onetable_app::{Actor, Origin};
use onetable_core::{RegionCode, Role, Scope};
use tracing_actix_web::RequestId;

use crate::error::ApiError;
use crate::state::AppState;
use tokens::TokenError;

/// Where a request came from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

impl RequestContext {
    #[must_use]
    pub fn of(req: &HttpRequest) -> Self {
        let trusted = req.app_data::<actix_web::web::Data<AppState>>().map(|s| s.trusted_proxies.clone());
        Self {
            request_id: req.extensions().get::<RequestId>().map(ToString::to_string),
            client_addr: client_addr(req, trusted.as_deref().map_or(&[], Vec::as_slice)).map(|a| a.to_string()),
        }
    }
}

/// The address a request came from: the peer's — or, when the peer is one of our `trusted`
/// reverse proxies, the nearest address in `X-Forwarded-For` that is not one of them (the entries
/// to its left were written by the client and prove nothing). A header from any other peer is
/// ignored: anyone can send one.
#[must_use]
pub fn client_addr(req: &HttpRequest, trusted: &[std::net::IpAddr]) -> Option<std::net::IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<std::net::IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|a| a.trim().parse())
        .collect::<Result<_, _>>()
        // A malformed header is not evidence of anything: the proxy's own address stands.
        .unwrap_or_default();
    Some(forwarded.into_iter().rev().find(|a| !trusted.contains(a)).unwrap_or(peer))
}

impl FromRequest for RequestContext {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Self::of(req)))
    }
}

/// An authenticated caller: the [`Actor`] the application acts for, and its token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub jti: String,
    pub expires_at: i64,
    /// Set for a browser session (the token came in the session cookie).
    pub csrf: Option<String>,
    /// The person must choose a new password first (the token says so).
    pub password_change_required: bool,
}

/// A caller whose account may still owe a password change: only the change itself, who-am-I and
/// signing out take one. Every other route takes a [`Caller`], which refuses such a token with
/// 403 `password_change_required` — so no route can forget the rule.
#[derive(Debug, Clone)]
pub struct UngatedCaller(pub Caller);

impl std::ops::Deref for UngatedCaller {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

/// The 403 of a request made before the person chose its own password.
fn password_change_required() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::FORBIDDEN,
        "password_change_required",
        "请先修改初始密码（或已过期的密码）后再继续：POST /api/v1/me/password",
    )
}

/// The cookie of a browser session; it holds the access token.
pub const SESSION_COOKIE: &str = "onetable_session";

/// Where the token of a request came from.
enum Presented {
    Bearer(String),
    /// The session cookie, and whether the request may change something (then it needs the
    /// CSRF token) with the CSRF header it carries.
    Cookie {
        token: String,
        unsafe_method: bool,
        csrf_header: Option<String>,
    },
}

impl Presented {
    fn of(req: &HttpRequest) -> Option<Self> {
        if let Some(token) = bearer_token(req) {
            return Some(Self::Bearer(token));
        }
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()).filter(|t| !t.is_empty())?;
        let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let csrf_header = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
        Some(Self::Cookie { token, unsafe_method, csrf_header })
    }

    fn token(&self) -> &str {
        match self {
            Self::Bearer(token) | Self::Cookie { token, .. } => token,
        }
    }
}

/// The 403 of an unsafe request by cookie without the session's CSRF token.
fn csrf_refused() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::FORBIDDEN,
        "csrf_token_invalid",
        "缺少或错误的 CSRF 令牌（X-CSRF-Token），请刷新页面后重试",
    )
}

impl std::ops::Deref for Caller {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

/// The 401 every authentication failure gets: it says nothing about which check failed.
#[must_use]
pub fn unauthorized() -> ApiError {
    ApiError::new(actix_web::http::StatusCode::UNAUTHORIZED, "unauthorized", "需要有效的访问令牌，请重新登录")
        .with_challenge("Bearer")
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let ungated = UngatedCaller::from_request(req, payload);
        Box::pin(async move {
            let UngatedCaller(caller) = ungated.await?;
            if caller.password_change_required {
                return Err(password_change_required());
            }
            Ok(caller)
        })
    }
}

impl FromRequest for UngatedCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let presented = Presented::of(req);
        let context = RequestContext::of(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let presented = presented.ok_or_else(unauthorized)?;
            let caller = authenticate(&state, presented.token(), context).await?;
            match presented {
                Presented::Bearer(_) => Ok(UngatedCaller(Caller { csrf: None, ..caller })),
                Presented::Cookie { unsafe_method, csrf_header, .. } => {
                    // A cookie works only as a browser session's, which has a CSRF token.
                    let expected = caller.csrf.as_deref().ok_or_else(unauthorized)?;
                    if unsafe_method && csrf_header.as_deref() != Some(expected) {
                        return Err(csrf_refused());
                    }
                    Ok(UngatedCaller(caller))
                }
            }
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

async fn authenticate(state: &AppState, token: &str, context: RequestContext) -> Result<Caller, ApiError> {
    let mut validated = state.validate_token(token);
    if matches!(validated, Err(TokenError::UnknownKey)) {
        // Perhaps another process rotated the keys since this one loaded them.
        let keys = state.keys.clone();
        state.run(move |conn| keys.reload(conn).map_err(ApiError::internal)).await?;
        validated = state.validate_token(token);
    }
    let claims = validated.map_err(|e| {
        tracing::info!(reason = %e, "token refused");
        unauthorized()
    })?;
    let role: Role = claims.role.parse().map_err(|_| unauthorized())?;
    let scope = claims.region.as_deref().map(RegionCode::parse).transpose().map_err(|_| unauthorized())?;
    let still_valid = state.token_checks.fresh(&claims.jti) || {
        let facts = TokenFacts {
            jti: claims.jti.clone(),
            kind: claims.kind,
            subject: claims.sub.clone(),
            role: claims.role.clone(),
            region: claims.region.clone(),
            department: claims.department.clone(),
            generation: claims.generation,
        };
        standing::still_stands(state, facts).await?
    };
    if !still_valid {
        return Err(unauthorized());
    }
    state.token_checks.remember(&claims.jti);
    let origin = Origin { request_id: context.request_id, client_addr: context.client_addr };
    let actor = Actor {
        subject: claims.sub,
        kind: claims.kind,
        role,
        scope: Scope::from_region(scope),
        department: claims.department,
        origin,
    };
    Ok(Caller {
        actor,
        jti: claims.jti,
        expires_at: claims.exp,
        csrf: claims.csrf,
        password_change_required: claims.password_change_required,
    })
}

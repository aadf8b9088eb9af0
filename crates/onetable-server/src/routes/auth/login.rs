//! `POST /api/v1/auth/login`

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use chrono::{Duration, Utc};
use onetable_store::audit::NewAuditEvent;
use onetable_store::identity::{self, UserChanges};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{rate_limit, token_response, Grant, TokenResponse};
use crate::auth::tokens::SubjectKind;
use crate::auth::RequestContext;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::accounts::hashing;

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

enum Outcome {
    Success { role: String, region: Option<String>, department: Option<String>, generation: i32 },
    Failure { locked_now: bool },
}

/// The one answer to every failed login: it never tells whether the username exists, the
/// password was wrong, or the account is locked or disabled.
fn invalid_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "用户名或密码错误；多次失败后账户将被暂时锁定")
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
    rate_limit(&state, &context)?;
    let LoginRequest { username, password } = body.into_inner();
    let policy = state.policy.clone();
    let name = username.clone();
    let outcome = state
        .run(move |conn| {
            let now = Utc::now().naive_utc();
            let Some(user) = identity::find_user(conn, &name)? else {
                hashing::verify_against_dummy(&password);
                return Ok(Outcome::Failure { locked_now: false });
            };
            let locked = user.locked_until.is_some_and(|until| until > now);
            let matches = hashing::verify(&user.password_hash, &password);
            if user.disabled || locked {
                return Ok(Outcome::Failure { locked_now: false });
            }
            if matches {
                if user.failed_logins != 0 || user.locked_until.is_some() {
                    let reset =
                        UserChanges { failed_logins: Some(0), locked_until: Some(None), ..UserChanges::default() };
                    identity::update_user(conn, user.id, &reset)?;
                }
                return Ok(Outcome::Success {
                    role: user.role,
                    region: user.region_code,
                    department: user.department,
                    generation: user.session_generation,
                });
            }
            let failures = user.failed_logins + 1;
            let locked_now = failures >= policy.lockout_attempts;
            let changes = if locked_now {
                UserChanges {
                    failed_logins: Some(0),
                    locked_until: Some(Some(now + Duration::seconds(policy.lockout_seconds))),
                    ..UserChanges::default()
                }
            } else {
                UserChanges { failed_logins: Some(failures), ..UserChanges::default() }
            };
            identity::update_user(conn, user.id, &changes)?;
            Ok(Outcome::Failure { locked_now })
        })
        .await?;
    let event = |action: &str, outcome: &str, role: Option<String>| NewAuditEvent {
        occurred_at: Utc::now().naive_utc(),
        actor: Some(username.clone()),
        role,
        action: action.to_owned(),
        target: Some(username.clone()),
        outcome: outcome.to_owned(),
        request_id: context.request_id.clone(),
        client_addr: context.client_addr.clone(),
        detail: None,
    };
    match outcome {
        Outcome::Success { role, region, department, generation } => {
            state.audit(event("auth.login", "success", Some(role.clone()))).await?;
            token_response(
                &state,
                Grant { subject: username.clone(), kind: SubjectKind::User, role, region, department, generation },
            )
            .await
        }
        Outcome::Failure { locked_now } => {
            state.audit(event("auth.login", "failure", None)).await?;
            if locked_now {
                state.audit(event("auth.lockout", "success", None)).await?;
            }
            Err(invalid_credentials())
        }
    }
}

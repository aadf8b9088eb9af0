//! `POST /api/v1/rules`, `PUT /api/v1/rules/{code}`

use actix_web::http::StatusCode;
use actix_web::{post, put, web, HttpResponse};

use super::{Rule, RuleInput};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::registry::manage;

async fn save(
    state: &AppState,
    caller: &Caller,
    code: String,
    input: RuleInput,
    creating: bool,
) -> Result<HttpResponse, ApiError> {
    let row = manage::save_rule(state, caller, code, input, creating).await?;
    let status = if creating { StatusCode::CREATED } else { StatusCode::OK };
    Ok(HttpResponse::build(status).json(Rule::from(row)))
}

/// Creates a rule; its expression is checked like a formula and must be a condition.
#[utoipa::path(
    tag = "rules",
    security(("bearer" = [])),
    request_body = RuleInput,
    responses(
        (status = 201, body = Rule),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, description = "bad expression (with positions) or fields", body = ErrorBody),
    )
)]
#[post("/api/v1/rules")]
pub async fn create_rule(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<RuleInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let code = input.code.clone().unwrap_or_default();
    save(&state, &caller, code, input, true).await
}

/// Replaces a rule.
#[utoipa::path(
    tag = "rules",
    security(("bearer" = [])),
    params(("code" = String, Path)),
    request_body = RuleInput,
    responses((status = 200, body = Rule), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[put("/api/v1/rules/{code}")]
pub async fn update_rule(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    body: Json<RuleInput>,
) -> Result<HttpResponse, ApiError> {
    save(&state, &caller, code.into_inner(), body.into_inner(), false).await
}

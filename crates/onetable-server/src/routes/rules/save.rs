//! `POST /api/v1/rules`, `PUT /api/v1/rules/{code}`

use actix_web::http::StatusCode;
use actix_web::{post, put, web, HttpResponse};
use onetable_core::Role;
use onetable_store::registry as store;

use super::{to_row, Rule, RuleInput};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::registry;

async fn save(
    state: &AppState,
    caller: &Caller,
    code: String,
    input: RuleInput,
    creating: bool,
) -> Result<HttpResponse, ApiError> {
    let action = if creating { "rules.create" } else { "rules.update" };
    state.authorize(caller, action, Some(code.clone()), caller.require_role(&[Role::Admin])).await?;
    let spec = input.to_spec(&code);
    let actor = caller.subject.clone();
    let now = chrono::Utc::now().naive_utc();
    let row = state
        .run(move |conn| {
            let exists = store::find_rule(conn, &spec.code)?.is_some();
            if creating && exists {
                return Err(ApiError::conflict("rule_exists", format!("校验规则 {} 已存在，修改请用 PUT", spec.code)));
            }
            if !creating && !exists {
                return Err(ApiError::not_found("rule_not_found", format!("校验规则 {} 不存在", spec.code)));
            }
            registry::validate_rule(&spec, &store::current(conn)?)?;
            let row = to_row(&spec, &actor, now);
            store::save_rule(conn, &row)?;
            Ok(row)
        })
        .await?;
    state.audit(caller.event(action, Some(code), "success")).await?;
    let status = if creating { StatusCode::CREATED } else { StatusCode::OK };
    state.forms.invalidate();
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

//! `GET /api/v1/rules`, `GET /api/v1/rules/{code}`

use actix_web::{get, web, HttpResponse};
use onetable_store::registry;

use super::Rule;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::indicators::require_reader;
use crate::state::AppState;

/// Every validation rule, by code.
#[utoipa::path(tag = "rules", security(("bearer" = [])), responses((status = 200, body = Vec<Rule>), (status = 403, body = ErrorBody)))]
#[get("/api/v1/rules")]
pub async fn list_rules(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    state.authorize(&caller, "rules.read", None, require_reader(&caller)).await?;
    let rows = state.run(|conn| Ok(registry::rules(conn)?)).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Rule::from).collect::<Vec<_>>()))
}

/// One rule.
#[utoipa::path(
    tag = "rules",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "R.SEX_SUM")),
    responses((status = 200, body = Rule), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/rules/{code}")]
pub async fn get_rule(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&caller, "rules.read", None, require_reader(&caller)).await?;
    let code = code.into_inner();
    let lookup = code.clone();
    let row = state.run(move |conn| Ok(registry::find_rule(conn, &lookup)?)).await?;
    let row = row.ok_or_else(|| ApiError::not_found("rule_not_found", format!("校验规则 {code} 不存在")))?;
    Ok(HttpResponse::Ok().json(Rule::from(row)))
}

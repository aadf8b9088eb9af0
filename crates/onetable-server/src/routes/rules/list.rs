//! `GET /api/v1/rules`, `GET /api/v1/rules/{code}`

use actix_web::{get, web, HttpResponse};
use onetable_app::registry::read;

use super::Rule;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Every validation rule, by code.
#[utoipa::path(tag = "rules", security(("bearer" = [])), responses((status = 200, body = Vec<Rule>), (status = 403, body = ErrorBody)))]
#[get("/api/v1/rules")]
pub async fn list_rules(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(read::rules(&state, &caller).await?))
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
    Ok(HttpResponse::Ok().json(read::rule(&state, &caller, code.into_inner()).await?))
}

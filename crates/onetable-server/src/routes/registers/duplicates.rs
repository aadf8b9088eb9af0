//! `GET /api/v1/registers/{code}/duplicates`

use actix_web::{get, web, HttpResponse};
use onetable_app::registers::duplicates::{self, Duplicate};
use onetable_app::registers::groups::{self, GroupRow};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::params::parse_code;
use crate::state::AppState;

/// Persons listed, open, in two villages' registers of this type where one of the villages is in
/// the caller's scope (重复纳入): for the reviewers.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "REG.DIBAO")),
    responses((status = 200, body = Vec<Duplicate>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/registers/{code}/duplicates")]
pub async fn list_duplicates(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(duplicates::duplicates(&state, &caller, path.into_inner()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupQuery {
    /// A township, a county… (default: the caller's scope).
    pub within: Option<String>,
}

/// Open records per village and 村民小组 (网格) within a region of the caller's scope: what a
/// township sees of its villages' groups.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("code" = String, Path, example = "REG.DIBAO"), GroupQuery),
    responses((status = 200, body = Vec<GroupRow>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/registers/{code}/groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<GroupQuery>,
) -> Result<HttpResponse, ApiError> {
    let within = query.into_inner().within.map(|w| parse_code(&w, "within")).transpose()?;
    Ok(HttpResponse::Ok().json(groups::group_counts(&state, &caller, path.into_inner(), within).await?))
}

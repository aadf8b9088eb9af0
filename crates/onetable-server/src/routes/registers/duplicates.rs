//! `GET /api/v1/registers/{code}/duplicates`

use actix_web::{get, web, HttpResponse};
use onetable_app::registers::duplicates::{self, Duplicate};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
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

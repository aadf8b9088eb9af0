//! `GET /api/v1/users/{username}`

use actix_web::{get, web, HttpResponse};
use onetable_app::accounts::admin;

use super::User;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// One account inside the admin's scope.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/users/{username}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    username: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(admin::get(&state, &caller, username.into_inner()).await?))
}

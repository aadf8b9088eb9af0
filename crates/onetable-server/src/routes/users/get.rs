//! `GET /api/v1/users/{username}`

use actix_web::{get, web, HttpResponse};
use onetable_core::Role;
use onetable_store::identity;

use super::{user_not_found, User};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use onetable_app::accounts;

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
    let username = username.into_inner();
    state.authorize(&caller, "users.read", Some(username.clone()), caller.require_role(&[Role::Admin])).await?;
    let admin = caller.clone();
    let user = state
        .run(move |conn| {
            identity::find_user(conn, &username)?
                .filter(|user| accounts::admin_may_manage(&admin, user))
                .ok_or_else(|| user_not_found(&username))
        })
        .await?;
    Ok(HttpResponse::Ok().json(User::from(user)))
}

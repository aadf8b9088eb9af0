//! `PATCH /api/v1/users/{username}`

use actix_web::{patch, web, HttpResponse};
use onetable_app::accounts::admin::{self, AccountChange};
use onetable_app::text::Text;
use serde::Deserialize;
use utoipa::ToSchema;

use super::User;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// Only the fields present change. A new password, or `"disabled": false`, also lifts a lockout.
#[derive(Deserialize, ToSchema)]
pub struct UpdateUser {
    #[schema(inline)]
    pub display_name: Option<Text<64>>,
    pub role: Option<String>,
    pub region: Option<String>,
    #[schema(inline)]
    pub department: Option<Text<50>>,
    pub disabled: Option<bool>,
    /// A new password chosen by the admin: the person must replace it at the next sign-in.
    pub password: Option<String>,
    /// A phone number; an empty text clears it.
    #[schema(inline)]
    pub phone: Option<Text<24>>,
}

/// Changes an account inside the admin's scope (same rules as creating one).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("username" = String, Path)),
    request_body = UpdateUser,
    responses(
        (status = 200, body = User),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[patch("/api/v1/users/{username}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    username: web::Path<String>,
    body: Json<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let change = AccountChange {
        display_name: body.display_name.map(String::from),
        role: body.role,
        region: body.region,
        department: body.department.map(String::from),
        disabled: body.disabled,
        password: body.password,
        phone: body.phone.map(String::from),
    };
    let updated = admin::update(&state, &caller, username.into_inner(), change).await?;
    // A disabled account's tokens must stop at once.
    state.token_checks.forget_all();
    Ok(HttpResponse::Ok().json(updated))
}

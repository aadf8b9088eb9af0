//! `POST /api/v1/users`

use actix_web::{post, web, HttpResponse};
use onetable_app::accounts::admin::{self, NewAccount};
use onetable_app::text::Text;
use serde::Deserialize;
use utoipa::ToSchema;

use super::User;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct CreateUser {
    pub username: String,
    /// At least 10 characters, 3 of lower/upper/digit/symbol, not containing the username.
    pub password: String,
    /// clerk, reviewer, admin, viewer or department.
    pub role: String,
    /// The scope: a village for a clerk, a township or county for a reviewer, …
    pub region: Option<String>,
    /// Required for the department role, e.g. 民政局.
    #[schema(inline)]
    pub department: Option<Text<50>>,
    /// The person's name, e.g. 张三.
    #[schema(inline)]
    pub display_name: Option<Text<64>>,
    /// A phone number, e.g. 13800000000 or 0859-3221234.
    #[schema(inline)]
    pub phone: Option<Text<24>>,
}

/// Creates an account inside the admin's scope. The password is the admin's choice, so the person
/// must choose its own at the first sign-in.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUser,
    responses(
        (status = 201, body = User),
        (status = 400, description = "malformed body or region code", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an admin, or outside its scope or level", body = ErrorBody),
        (status = 409, description = "username taken", body = ErrorBody),
        (status = 422, description = "fields or password refused, one detail each", body = ErrorBody),
    )
)]
#[post("/api/v1/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new = NewAccount {
        username: body.username,
        password: body.password,
        role: body.role,
        region: body.region,
        department: body.department.map(String::from),
        display_name: body.display_name.map(String::from),
        phone: body.phone.map(String::from),
    };
    Ok(HttpResponse::Created().json(admin::create(&state, &caller, new).await?))
}

//! `POST /api/v1/users`

use actix_web::{post, web, HttpResponse};
use onetable_core::Role;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{parse_role, User};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::routes::params::parse_code;
use crate::state::AppState;
use onetable_app::accounts::{self, AccountSpec};
use onetable_app::text::Text;

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
}

/// Creates an account inside the admin's scope.
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
    state.authorize(&caller, "users.create", Some(body.username.clone()), caller.require_role(&[Role::Admin])).await?;
    let region = body.region.as_deref().map(|r| parse_code(r, "region")).transpose()?;
    let spec = AccountSpec {
        username: body.username.trim().to_owned(),
        role: parse_role(&body.role)?,
        region,
        department: body.department.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()),
    };
    accounts::validate(&spec, Some(&body.password))?;
    let decision = accounts::admin_may_assign(&caller, spec.role, spec.region);
    state.authorize(&caller, "users.create", Some(spec.username.clone()), decision).await?;
    let now = chrono::Utc::now().naive_utc();
    let (password, display_name, for_db) = (body.password, body.display_name, spec.clone());
    let user = state
        .run(move |conn| Ok(accounts::create(conn, &for_db, &password, display_name.map(String::from), now)?))
        .await?;
    let mut event = caller.event("users.create", Some(spec.username), "success");
    event.detail = Some(format!("role={} region={}", user.role, user.region_code.as_deref().unwrap_or("-")));
    state.audit(event).await?;
    Ok(HttpResponse::Created().json(User::from(user)))
}

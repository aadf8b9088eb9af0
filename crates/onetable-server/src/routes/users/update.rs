//! `PATCH /api/v1/users/{username}`

use actix_web::{patch, web, HttpResponse};
use onetable_core::{RegionCode, Role};
use onetable_store::identity::{self, UserChanges};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{parse_role, user_not_found, User};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::routes::params::parse_code;
use crate::state::AppState;
use onetable_app::accounts::hashing;
use onetable_app::accounts::{self, AccountSpec};
use onetable_app::text::Text;

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
    pub password: Option<String>,
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
    let username = username.into_inner();
    let body = body.into_inner();
    state.authorize(&caller, "users.update", Some(username.clone()), caller.require_role(&[Role::Admin])).await?;
    let admin = caller.clone();
    let name = username.clone();
    let current = state
        .run(move |conn| {
            identity::find_user(conn, &name)?
                .filter(|user| accounts::admin_may_manage(&admin, user))
                .ok_or_else(|| user_not_found(&name))
        })
        .await?;
    let region = match body.region.as_deref() {
        Some(text) => Some(parse_code(text, "region")?),
        None => current.region_code.as_deref().and_then(|r| RegionCode::parse(r).ok()),
    };
    let spec = AccountSpec {
        username: current.username.clone(),
        role: match body.role.as_deref() {
            Some(role) => parse_role(role)?,
            None => parse_role(&current.role)?,
        },
        region,
        department: body.department.clone().map(String::from).or_else(|| current.department.clone()),
    };
    accounts::validate(&spec, body.password.as_deref())?;
    let assigning = body.role.is_some() || body.region.is_some();
    if assigning {
        let decision = accounts::admin_may_assign(&caller, spec.role, spec.region);
        state.authorize(&caller, "users.update", Some(username.clone()), decision).await?;
    }
    let now = chrono::Utc::now().naive_utc();
    let mut changes = UserChanges {
        display_name: body.display_name.map(String::from),
        role: body.role.map(|_| spec.role.as_str().to_owned()),
        region_code: body.region.map(|_| spec.region.map(|r| r.to_string())),
        department: body.department.map(|d| Some(d.into())),
        disabled: body.disabled,
        updated_at: Some(now),
        ..UserChanges::default()
    };
    if let Some(new_password) = &body.password {
        changes.password_hash = Some(hashing::hash(new_password).map_err(ApiError::internal)?);
        changes.password_changed_at = Some(now);
    }
    if body.password.is_some() || body.disabled == Some(false) {
        changes.failed_logins = Some(0);
        changes.locked_until = Some(None);
    }
    let (id, name) = (current.id, username.clone());
    let updated = state
        .run(move |conn| {
            if let Some(region) = spec.region.filter(|_| changes.region_code.is_some()) {
                if onetable_store::regions::find(conn, region)?.is_none() {
                    return Err(ApiError::unprocessable("validation_failed", "所辖区划不存在").with_detail(
                        Some("region"),
                        "unknown_region",
                        format!("区划 {region} 不存在"),
                    ));
                }
            }
            identity::update_user(conn, id, &changes)?;
            identity::find_user(conn, &name)?.ok_or_else(|| user_not_found(&name))
        })
        .await?;
    // A disabled account's tokens must stop at once.
    state.token_checks.forget_all();
    state.audit(caller.event("users.update", Some(username), "success")).await?;
    Ok(HttpResponse::Ok().json(User::from(updated)))
}

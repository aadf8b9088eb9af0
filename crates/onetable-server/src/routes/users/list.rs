//! `GET /api/v1/users`

use actix_web::{get, web, HttpResponse};
use onetable_core::Role;
use onetable_store::identity;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{parse_role, User};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::params::{parse_code, Paging};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    pub role: Option<String>,
    /// Only accounts scoped inside this region (default: the admin's whole scope).
    pub within: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Accounts scoped inside the admin's region, by username.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(UserFilter, Paging),
    responses((status = 200, body = UserPage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<UserFilter>,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&caller, "users.list", None, caller.require_role(&[Role::Admin])).await?;
    let (limit, offset) = paging.resolve()?;
    let filter = filter.into_inner();
    let role = filter.role.as_deref().map(parse_role).transpose()?;
    let scope = caller.scope.region().ok_or_else(|| ApiError::forbidden("out_of_scope", "管理员必须有所辖区划"))?;
    let within = match filter.within.as_deref() {
        Some(text) => {
            let code = parse_code(text, "within")?;
            caller.require_read(code)?;
            code
        }
        None => scope,
    };
    let range = (within.to_string(), within.descendant_upper_bound());
    let (rows, total) = state
        .run(move |conn| Ok(identity::list_users(conn, Some(range), role.map(Role::as_str), limit, offset)?))
        .await?;
    Ok(HttpResponse::Ok().json(UserPage { items: rows.into_iter().map(User::from).collect(), total, limit, offset }))
}

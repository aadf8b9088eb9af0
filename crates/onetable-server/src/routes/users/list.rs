//! `GET /api/v1/users`

use actix_web::{get, web, HttpResponse};
use onetable_app::accounts::admin;
use serde::Deserialize;
use utoipa::IntoParams;

use super::UserPage;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::params::Paging;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    pub role: Option<String>,
    /// Only accounts scoped inside this region (default: the admin's whole scope).
    pub within: Option<String>,
    /// Only accounts whose username or name contains this text (e.g. 张 or wjp).
    pub q: Option<String>,
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
    let filter = filter.into_inner();
    let ask = admin::UserQuery { role: filter.role, within: filter.within, text: filter.q };
    let page = admin::list(&state, &caller, ask, (paging.limit, paging.offset)).await?;
    Ok(HttpResponse::Ok().json(page))
}

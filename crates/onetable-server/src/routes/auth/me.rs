//! `GET /api/v1/me`

use actix_web::{get, web, HttpResponse};
use onetable_app::accounts::standing::{self, Me};

use crate::auth::UngatedCaller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Who the token says the caller is, and where it may reach.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
#[get("/api/v1/me")]
pub async fn me(state: web::Data<AppState>, caller: UngatedCaller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(standing::me(&state, &caller, caller.expires_at).await?))
}

//! `GET /api/v1/clients`

use actix_web::{get, web, HttpResponse};
use onetable_app::accounts::clients::{self, Client};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The department systems the caller sees: its department's (a department person) or those in
/// its scope (an admin); never a secret.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Client>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/clients")]
pub async fn list_clients(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(clients::list(&state, &caller).await?))
}

//! `GET /api/v1/worklist` — the clerk's to-do list (待办).

use actix_web::{get, web, HttpResponse};
use onetable_app::entries::worklist::{self as to_do, Worklist};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The forms of the clerk's village to work on: the last closed period of every frequency with a
/// form, and every earlier one not yet approved — returned forms first with the reviewer's
/// comment, then open ones, then those waiting for review, then approved ones.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    responses((status = 200, body = Worklist), (status = 401, body = ErrorBody), (status = 403, description = "clerks only", body = ErrorBody))
)]
#[get("/api/v1/worklist")]
pub async fn worklist(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(to_do::worklist(&state, &caller).await?))
}

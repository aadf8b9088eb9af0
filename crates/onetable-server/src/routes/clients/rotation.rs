//! `POST /api/v1/clients/{client_id}/rotation`, `…/rotation/approve`, `…/rotation/collect`

use actix_web::{post, web, HttpResponse};
use onetable_app::accounts::clients::{self, Client, NewSecret};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Its department asks for a new secret of one of its systems (audited).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("client_id" = String, Path)),
    responses((status = 200, body = Client), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[post("/api/v1/clients/{client_id}/rotation")]
pub async fn request_rotation(
    state: web::Data<AppState>,
    caller: Caller,
    client_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(clients::request_rotation(&state, &caller, &client_id).await?))
}

/// An admin whose scope holds the system's region approves the asked rotation (audited).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("client_id" = String, Path)),
    responses(
        (status = 200, body = Client),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "no rotation asked", body = ErrorBody),
    )
)]
#[post("/api/v1/clients/{client_id}/rotation/approve")]
pub async fn approve_rotation(
    state: web::Data<AppState>,
    caller: Caller,
    client_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(clients::approve_rotation(&state, &caller, &client_id).await?))
}

/// The department collects the new secret of an approved rotation — shown this once, stored only
/// as a hash; the old secret and its tokens stop now (audited).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("client_id" = String, Path)),
    responses(
        (status = 200, body = NewSecret),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "not approved", body = ErrorBody),
    )
)]
#[post("/api/v1/clients/{client_id}/rotation/collect")]
pub async fn collect_secret(
    state: web::Data<AppState>,
    caller: Caller,
    client_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let secret: NewSecret = clients::collect_secret(&state, &caller, &client_id).await?;
    Ok(HttpResponse::Ok().insert_header(("cache-control", "no-store")).json(secret))
}

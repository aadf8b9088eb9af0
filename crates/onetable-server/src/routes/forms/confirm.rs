//! `POST /api/v1/forms/confirm`

use actix_web::{post, web, HttpResponse};
use onetable_app::legacy::confirm::{confirm, ConfirmInput, ConfirmReport};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// An admin confirms which indicator each column of an analyzed form is; a column name the
/// registry does not know yet becomes an alias of its indicator (a new, compatible version), so
/// the next form with the same wording maps exactly. All or nothing; audited.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    request_body = ConfirmInput,
    responses(
        (status = 200, body = ConfirmReport),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 409, description = "`alias_taken`: the name is another indicator's name or alias", body = ErrorBody),
        (status = 422, description = "an unknown or retired code, an empty name: a detail per mapping", body = ErrorBody),
    )
)]
#[post("/api/v1/forms/confirm")]
pub async fn confirm_mappings(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<ConfirmInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(confirm(&state, &caller, body.into_inner()).await?))
}

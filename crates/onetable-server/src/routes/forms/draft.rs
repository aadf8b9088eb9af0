//! `POST /api/v1/forms/draft-request`

use actix_web::{post, web, HttpResponse};
use onetable_app::legacy::draft::{draft_request, DraftInput, RequestDraft};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// A department turns its analyzed form into a draft data request (the matched indicators, which
/// of them are sensitive, its region) to complete and file with `POST /api/v1/data-requests`; the
/// columns without an indicator become proposed indicators for an admin (stored, pending). All or
/// nothing; audited.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    request_body = DraftInput,
    responses(
        (status = 200, body = RequestDraft),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not a department", body = ErrorBody),
        (status = 422, description = "no columns, an unknown or retired code, an empty name: a detail per column", body = ErrorBody),
    )
)]
#[post("/api/v1/forms/draft-request")]
pub async fn draft(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<DraftInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(draft_request(&state, &caller, body.into_inner()).await?))
}

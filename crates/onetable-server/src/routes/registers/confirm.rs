//! `POST /api/v1/entries/{region}/{period}/register-confirm`

use actix_web::{post, web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::entries::{if_match, parse_path, respond, Entry};
use crate::state::AppState;

/// The reviewer confirms the register changes of a submitted or approved form (`to_confirm` in
/// its `register_values`): the new counts are written (source `register`), the status stays.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header, description = "the revision read")),
    responses(
        (status = 200, body = Entry),
        (status = 403, body = ErrorBody),
        (status = 409, description = "nothing to confirm", body = ErrorBody),
        (status = 412, body = ErrorBody),
    )
)]
#[post("/api/v1/entries/{region}/{period}/register-confirm")]
pub async fn confirm_register_values(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let at = parse_path(&path.0, &path.1)?;
    let entry = onetable_app::registers::confirm::confirm(&state, &caller, at, if_match(&req).as_deref()).await?;
    Ok(respond(&entry))
}

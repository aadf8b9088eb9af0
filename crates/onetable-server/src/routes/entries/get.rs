//! `GET /api/v1/entries/{region}/{period}`

use actix_web::{get, web, HttpResponse};

use super::{parse_path, respond, Entry};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// One village's form for a period: status, revision (also the `ETag`), every value with its
/// source, derived values, last period's values, and the current rule results.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path, example = "522301100200"), ("period" = String, Path, example = "2025")),
    responses(
        (status = 200, body = Entry),
        (status = 400, description = "bad region or period (none of that frequency, or too far ahead)", body = ErrorBody),
        (status = 404, description = "unknown or outside the caller's scope", body = ErrorBody),
    )
)]
#[get("/api/v1/entries/{region}/{period}")]
pub async fn get_entry(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let at = parse_path(&path.0, &path.1)?;
    let entry = onetable_app::entries::view::read(&state, &caller, at).await?;
    Ok(respond(&entry))
}

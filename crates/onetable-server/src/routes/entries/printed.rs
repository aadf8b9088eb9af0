//! `GET /api/v1/entries/{region}/{period}/print.pdf`

use actix_web::{get, web, HttpResponse};
use onetable_app::printed;

use super::parse_path;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The village's form of a period on A4, as a PDF for the archive (打印报表): every section with
/// values and units, the status, who submitted and approved it and when, lines for signatures
/// and the seal; the Chinese font embedded. For whoever may read the form.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path, example = "522301100200"), ("period" = String, Path, example = "2025")),
    responses(
        (status = 200, description = "the PDF", content_type = "application/pdf", body = crate::export::Binary),
        (status = 400, body = ErrorBody),
        (status = 404, description = "unknown or outside the caller's scope", body = ErrorBody),
    )
)]
#[get("/api/v1/entries/{region}/{period}/print.pdf")]
pub async fn print_pdf(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let at = parse_path(&path.0, &path.1)?;
    let (name, bytes) = printed::form_pdf(&state, &caller, at).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("content-disposition", format!("attachment; filename=\"{name}\"")))
        .body(bytes))
}

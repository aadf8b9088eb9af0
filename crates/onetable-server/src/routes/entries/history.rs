//! `GET /api/v1/entries/{region}/{period}/history`

use actix_web::{get, web, HttpResponse};
use onetable_app::entries::history as log;
pub use onetable_app::entries::history::{HistoryItem, HistoryPage};

use super::parse_path;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::params::Paging;
use crate::state::AppState;

/// Every change of an entry and every workflow event, newest first, a page at a time
/// (`limit` 1–1000, default 100).
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), Paging),
    responses((status = 200, body = HistoryPage), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/entries/{region}/{period}/history")]
pub async fn history(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let at = parse_path(&path.0, &path.1)?;
    let page = paging.page()?;
    Ok(HttpResponse::Ok().json(log::history(&state, &caller, at, page).await?))
}

//! `GET /api/v1/quality/outliers`

use actix_web::{get, web, HttpResponse};
use onetable_app::quality::outliers::{self, OutlierQuery, OutlierReport};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Outliers (异常值) on the live cube: each village's value (submitted or approved forms) against
/// its own last five periods (at least three; `short_history` counts those with fewer) and against
/// its county's villages this period — per 1,000 inhabitants for counts of people or households.
/// Each says why in Chinese (比上期增长 900%, 高于全县 99% 的村), with its score and baseline,
/// strongest first. Names villages: reviewers and admins over the region only.
#[utoipa::path(
    tag = "dashboards",
    security(("bearer" = [])),
    params(OutlierQuery),
    responses(
        (status = 200, body = OutlierReport),
        (status = 400, description = "`invalid_query` (method, threshold, against, limit, indicators), `unknown_indicator`", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/api/v1/quality/outliers")]
pub async fn list_outliers(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OutlierQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(outliers::outliers(&state, &caller, query.into_inner()).await?))
}

/// One village's flags for its form (异常值提示): its values — drafts too — against its last
/// five periods and its county's villages, by the defaults (mod_z, 3.5, both). The clerk sees them
/// before submitting, as a warning; the reviewer beside each field.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path, example = "522301100200"), ("period" = String, Path, example = "2025")),
    responses((status = 200, body = OutlierReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/entries/{region}/{period}/outliers")]
pub async fn entry_outliers(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let at = crate::routes::entries::parse_path(&path.0, &path.1)?;
    Ok(HttpResponse::Ok().json(outliers::of_entry(&state, &caller, at).await?))
}

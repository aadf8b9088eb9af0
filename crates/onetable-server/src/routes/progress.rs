//! `GET /api/v1/progress?within=&period=` (填报进度)

use actix_web::{get, web, HttpResponse};
use onetable_core::{RegionCode, RegionLevel, Role};
use onetable_store::{entries as store, regions};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::entries::parse_period;
use crate::error::{ApiError, ErrorBody};
use crate::routes::regions::{parse_code, region_not_found};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// The region whose children are counted (default: the caller's scope).
    pub within: Option<String>,
    pub period: String,
}

/// One child region's villages by entry status.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ProgressRow {
    pub code: String,
    pub name: String,
    /// Villages expected to report.
    pub expected: usize,
    /// Villages with no entry yet.
    pub not_started: usize,
    pub draft: usize,
    pub submitted: usize,
    pub returned: usize,
    pub approved: usize,
}

/// For each child region: villages expected and their entries by status, for reviewers and admins.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(ProgressQuery),
    responses((status = 200, body = Vec<ProgressRow>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/progress")]
pub async fn progress(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ProgressQuery>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&caller, "progress.read", None, caller.require_role(&[Role::Reviewer, Role::Admin])).await?;
    let period = parse_period(query.period.trim())?;
    let within = match query.within.as_deref() {
        Some(text) => parse_code(text, "within")?,
        None => caller.scope.ok_or_else(|| ApiError::bad_request("invalid_query", "请指定 within"))?,
    };
    state.authorize(&caller, "progress.read", Some(within.to_string()), caller.require_read(within)).await?;
    if within.level() == RegionLevel::Village {
        return Err(ApiError::bad_request("invalid_query", "within 须为村以上的区划"));
    }
    let rows = state
        .run(move |conn| {
            if regions::find(conn, within)?.is_none() {
                return Err(region_not_found(within));
            }
            let children = regions::children(conn, within, 10_000, 0)?.items;
            let statuses = store::village_statuses(conn, within, &period.to_string())?;
            let mut rows: Vec<(RegionCode, ProgressRow)> = children
                .into_iter()
                .filter_map(|c| {
                    let code = RegionCode::parse(&c.code).ok()?;
                    Some((code, ProgressRow { code: c.code, name: c.name, ..ProgressRow::default() }))
                })
                .collect();
            for (village, status) in statuses {
                let Ok(village) = RegionCode::parse(&village) else { continue };
                let Some((_, row)) = rows.iter_mut().find(|(child, _)| child.contains(village)) else {
                    continue;
                };
                row.expected += 1;
                match status.as_deref() {
                    None => row.not_started += 1,
                    Some("draft") => row.draft += 1,
                    Some("submitted") => row.submitted += 1,
                    Some("returned") => row.returned += 1,
                    Some(_) => row.approved += 1,
                }
            }
            Ok(rows.into_iter().map(|(_, row)| row).collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows))
}

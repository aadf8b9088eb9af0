//! `GET /api/v1/regions/{code}`

use actix_web::{get, web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use onetable_store::regions;
use serde::Serialize;
use utoipa::ToSchema;

use super::{parse_code, region_not_found, require_reader, Level, Region};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// One ancestor on the way from the province down.
#[derive(Debug, Serialize, ToSchema)]
pub struct PathEntry {
    pub code: String,
    pub name: String,
    pub level: Level,
}

/// A recorded rename, retirement or restoration of the code.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionChange {
    /// `rename`, `merge`, `split`, `retire` or `restore`.
    pub kind: String,
    pub old_code: String,
    pub new_code: Option<String>,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
    pub effective: NaiveDate,
    #[serde(serialize_with = "onetable_app::time::utc")]
    pub recorded_at: NaiveDateTime,
}

/// A region with its ancestors and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    pub region: Region,
    /// Ancestors, province first.
    pub path: Vec<PathEntry>,
    /// Renames and retirements recorded for this code, oldest first.
    pub changes: Vec<RegionChange>,
}

/// A region, its ancestors (with names) and its recorded changes.
#[utoipa::path(
    tag = "regions",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "2, 4, 6, 9 or 12 digits", example = "522301")),
    responses(
        (status = 200, body = RegionDetail),
        (status = 400, description = "not a region code", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "auditors read only the audit trail", body = ErrorBody),
        (status = 404, description = "no such region, or outside the caller's scope", body = ErrorBody),
    )
)]
#[get("/api/v1/regions/{code}")]
pub async fn get_region(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = parse_code(&code, "code")?;
    state.authorize(&caller, "regions.read", Some(code.to_string()), require_reader(&caller)).await?;
    state.authorize(&caller, "regions.read", Some(code.to_string()), caller.require_read(code)).await?;
    let detail = state
        .run(move |conn| {
            let row = regions::find(conn, code)?.ok_or_else(|| region_not_found(code))?;
            let mut ancestors = regions::find_many(conn, &code.ancestors())?;
            ancestors.sort_by_key(|r| r.level);
            let changes = regions::changes_of(conn, code)?;
            let path = ancestors
                .into_iter()
                .map(|r| Region::from_row(r).map(|r| PathEntry { code: r.code, name: r.name, level: r.level }))
                .collect::<Result<_, _>>()?;
            Ok(RegionDetail {
                region: Region::from_row(row)?,
                path,
                changes: changes
                    .into_iter()
                    .map(|c| RegionChange {
                        kind: c.kind,
                        old_code: c.old_code,
                        new_code: c.new_code,
                        old_name: c.old_name,
                        new_name: c.new_name,
                        effective: c.effective,
                        recorded_at: c.recorded_at,
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

//! Reading the hierarchy: every role but the auditor, and only inside its scope — a region outside
//! it is answered as unknown (404), so a reader never learns it exists.

use onetable_core::RegionCode;
use onetable_store::models::RegionRow;
use onetable_store::regions::{self, Page, RegionSearch};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Level, PathEntry, Region, RegionChange, RegionDetail, RegionPage, READERS};
use crate::actor::{region_not_found, Actor};
use crate::input::region_code;
use crate::paging::Paging;
use crate::problem::AppResult;
use crate::App;

fn page_of(page: Page<RegionRow>, limit: i64, offset: i64) -> AppResult<RegionPage> {
    Ok(RegionPage {
        items: page.items.into_iter().map(Region::from_row).collect::<AppResult<_>>()?,
        total: page.total,
        limit,
        offset,
    })
}

async fn authorize_read(app: &App, actor: &Actor, code: RegionCode) -> AppResult<()> {
    app.authorize(actor, "regions.read", Some(code.to_string()), actor.require_role(&READERS)).await?;
    app.authorize(actor, "regions.read", Some(code.to_string()), actor.require_read(code)).await
}

/// A region, its ancestors (with names) and its recorded changes.
///
/// # Errors
/// 400 a bad code, 403 an auditor, 404 unknown or outside the scope.
pub async fn get(app: &App, actor: &Actor, code: &str) -> AppResult<RegionDetail> {
    let code = region_code(code, "code")?;
    authorize_read(app, actor, code).await?;
    app.run(move |conn| {
        let row = regions::find(conn, code)?.ok_or_else(|| region_not_found(code))?;
        let mut ancestors = regions::find_many(conn, &code.ancestors())?;
        ancestors.sort_by_key(|r| r.level);
        let changes = regions::changes_of(conn, code)?;
        let path = ancestors
            .into_iter()
            .map(|r| Region::from_row(r).map(|r| PathEntry { code: r.code, name: r.name, level: r.level }))
            .collect::<AppResult<_>>()?;
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
    .await
}

/// The current (not retired) children of a region, by code, paged.
///
/// # Errors
/// As [`get`], and 400 for bad paging.
pub async fn children(app: &App, actor: &Actor, code: &str, paging: Paging) -> AppResult<RegionPage> {
    let code = region_code(code, "code")?;
    authorize_read(app, actor, code).await?;
    let (limit, offset) = paging.resolve()?;
    app.run(move |conn| {
        if regions::find(conn, code)?.is_none() {
            return Err(region_not_found(code));
        }
        page_of(regions::children(conn, code, limit, offset)?, limit, offset)
    })
    .await
}

/// What a region search asks for.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A fragment of the name, e.g. `兴义`.
    pub q: Option<String>,
    /// Only regions inside this one.
    pub within: Option<String>,
    /// Only regions of this level.
    pub level: Option<Level>,
    /// Include retired codes.
    pub include_retired: Option<bool>,
}

/// Regions by name fragment, inside a region and/or at a level, ordered by level then code — only
/// those inside the actor's scope.
///
/// # Errors
/// 403 an auditor, 400 bad paging or `within`, 404 `within` unknown or outside the scope.
pub async fn search(app: &App, actor: &Actor, params: SearchParams, paging: Paging) -> AppResult<RegionPage> {
    app.authorize(actor, "regions.search", None, actor.require_role(&READERS)).await?;
    let (limit, offset) = paging.resolve()?;
    let within = params.within.as_deref().map(|w| region_code(w, "within")).transpose()?;
    if let Some(within) = within {
        // Searching a region that encloses the scope is fine: results are cut to the scope.
        let encloses_scope = actor.scope.region().is_some_and(|scope| within.contains(scope));
        if !encloses_scope {
            app.authorize(actor, "regions.search", Some(within.to_string()), actor.require_read(within)).await?;
        }
    }
    let query = RegionSearch {
        name: params.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
        within,
        level: params.level.map(Into::into),
        include_retired: params.include_retired.unwrap_or(false),
        scope: actor.scope.region(),
    };
    app.run(move |conn| {
        if let Some(within) = query.within {
            if regions::find(conn, within)?.is_none() {
                return Err(region_not_found(within));
            }
        }
        page_of(regions::search(conn, &query, limit, offset)?, limit, offset)
    })
    .await
}

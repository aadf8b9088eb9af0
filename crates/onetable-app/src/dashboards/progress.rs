//! Reporting progress (填报进度): for each child region of a region, its villages and their
//! entries by status — for reviewers and admins in scope.

use onetable_core::workflow::EntryStatus;
use onetable_core::{RegionCode, RegionLevel, Role};
use onetable_store::{entries as store, regions};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::{region_not_found, Actor};
use crate::entries::parse_period;
use crate::input::region_code;
use crate::problem::{AppResult, Problem};
use crate::App;

/// What progress is asked for: a period, inside a region (default: the actor's scope).
#[derive(Debug, Clone, Default)]
pub struct ProgressAsk {
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

/// Each child region of `within` with its villages by entry status.
///
/// # Errors
/// 403 for other roles, 404 outside the scope or for an unknown region, 400 for a village or a bad
/// period.
pub async fn progress(app: &App, actor: &Actor, ask: ProgressAsk) -> AppResult<Vec<ProgressRow>> {
    app.authorize(actor, "progress.read", None, actor.require_role(&[Role::Reviewer, Role::Admin])).await?;
    let period = parse_period(ask.period.trim())?;
    let within = match ask.within.as_deref() {
        Some(text) => region_code(text, "within")?,
        None => actor.scope.region().ok_or_else(|| Problem::bad_request("invalid_query", "请指定 within"))?,
    };
    app.authorize(actor, "progress.read", Some(within.to_string()), actor.require_read(within)).await?;
    if within.level() == RegionLevel::Village {
        return Err(Problem::bad_request("invalid_query", "within 须为村以上的区划"));
    }
    let rows = app
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
                match status.as_deref().map(str::parse::<EntryStatus>) {
                    None => row.not_started += 1,
                    Some(Ok(EntryStatus::Draft)) => row.draft += 1,
                    Some(Ok(EntryStatus::Submitted)) => row.submitted += 1,
                    Some(Ok(EntryStatus::Returned)) => row.returned += 1,
                    Some(_) => row.approved += 1,
                }
            }
            Ok(rows.into_iter().map(|(_, row)| row).collect::<Vec<_>>())
        })
        .await?;
    Ok(rows)
}

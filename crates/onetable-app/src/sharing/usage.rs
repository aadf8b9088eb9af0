//! Data return (数据回流): which departments used a village's data — every pull of it or of a
//! region containing it, under which request and purpose, which indicators, how often, when last.
//! For the village's clerk, its reviewers and admins.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use onetable_core::Role;
use onetable_store::sharing as store;
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::{region_not_found, Actor};
use crate::input::region_code;
use crate::problem::AppResult;
use crate::App;

/// One department's use of the region's data under one request.
#[derive(Debug, Serialize, ToSchema)]
pub struct Usage {
    pub department: String,
    pub request_id: i64,
    pub title: String,
    pub purpose: String,
    /// Every indicator pulled under this request.
    pub indicators: Vec<String>,
    pub pulls: u64,
    #[serde(serialize_with = "crate::time::utc")]
    pub last_pulled_at: NaiveDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionUsage {
    pub region: String,
    pub total_pulls: u64,
    pub uses: Vec<Usage>,
}

/// The uses of the data of region `code`, most recent first.
///
/// # Errors
/// 403 for other roles, 404 outside the scope or for an unknown region, 400 for a bad code.
pub async fn usage(app: &App, actor: &Actor, code: String) -> AppResult<RegionUsage> {
    let action = "usage.read";
    app.authorize(actor, action, None, actor.require_role(&[Role::Clerk, Role::Reviewer, Role::Admin])).await?;
    let region = region_code(&code, "code")?;
    app.authorize(actor, action, Some(region.to_string()), actor.require_read(region)).await?;
    let (accesses, requests) = app
        .run(move |conn| {
            if onetable_store::regions::find(conn, region)?.is_none() {
                return Err(region_not_found(region));
            }
            let mut covering: Vec<String> = region.ancestors().iter().map(ToString::to_string).collect();
            covering.push(region.to_string());
            let accesses = store::accesses_covering(conn, &covering)?;
            let mut requests = BTreeMap::new();
            for access in &accesses {
                if let std::collections::btree_map::Entry::Vacant(slot) = requests.entry(access.request_id) {
                    if let Some(row) = store::find(conn, access.request_id)? {
                        slot.insert(row);
                    }
                }
            }
            Ok((accesses, requests))
        })
        .await?;
    let mut uses: BTreeMap<i64, Usage> = BTreeMap::new();
    for access in &accesses {
        let Some(request) = requests.get(&access.request_id) else { continue };
        let usage = uses.entry(access.request_id).or_insert_with(|| Usage {
            department: access.department.clone(),
            request_id: access.request_id,
            title: request.title.clone(),
            purpose: request.purpose.clone(),
            indicators: Vec::new(),
            pulls: 0,
            last_pulled_at: access.occurred_at,
        });
        usage.pulls += 1;
        usage.last_pulled_at = usage.last_pulled_at.max(access.occurred_at);
        for code in access.indicators.split(',').filter(|c| !c.is_empty()) {
            if !usage.indicators.iter().any(|c| c == code) {
                usage.indicators.push(code.to_owned());
            }
        }
    }
    let mut uses: Vec<Usage> = uses.into_values().collect();
    uses.sort_by_key(|u| std::cmp::Reverse(u.last_pulled_at));
    Ok(RegionUsage { region: region.to_string(), total_pulls: accesses.len() as u64, uses })
}

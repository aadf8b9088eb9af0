//! Data return (数据回流): which departments used a village's data — every pull whose rows held
//! it (a pull of the village, or of a region containing it, made while the village's form of that
//! period stood approved: pulls read approved forms only), under which request and purpose, which
//! indicators, how often, when last. For the village's clerk, its reviewers and admins.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use onetable_core::{RegionLevel, Role};
use onetable_store::entries::{EntryEventRow, EntryRow};
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
    /// Every indicator pulled under this request (codes).
    pub indicators: Vec<String>,
    /// The same, by name, in the same order.
    pub indicator_names: Vec<String>,
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
    let (accesses, requests, names) = app
        .run(move |conn| {
            if onetable_store::regions::find(conn, region)?.is_none() {
                return Err(region_not_found(region));
            }
            let mut covering: Vec<String> = region.ancestors().iter().map(ToString::to_string).collect();
            covering.push(region.to_string());
            let mut accesses = store::accesses_covering(conn, &covering)?;
            if region.level() == RegionLevel::Village {
                let village = region.to_string();
                let entries = onetable_store::entries::of_region(conn, &village)?;
                let events = onetable_store::entries::events_of_region(conn, &village)?;
                // A register pull read the records as they stood; a value pull, approved forms only.
                accesses.retain(|a| {
                    a.level == super::record_pull::RECORDS_LEVEL
                        || approved_at(&entries, &events, &a.period, a.occurred_at)
                });
            }
            let mut names: BTreeMap<String, String> =
                onetable_store::registry::current(conn)?.into_iter().map(|(code, row)| (code, row.name)).collect();
            for (code, def) in crate::registers::current(conn)? {
                for column in &def.columns {
                    names.insert(format!("{code}.{}", column.code), column.name.clone());
                }
                names.insert(code, def.name);
            }
            let mut requests = BTreeMap::new();
            for access in &accesses {
                if let std::collections::btree_map::Entry::Vacant(slot) = requests.entry(access.request_id) {
                    if let Some(row) = store::find(conn, access.request_id)? {
                        slot.insert(row);
                    }
                }
            }
            Ok((accesses, requests, names))
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
            indicator_names: Vec::new(),
            pulls: 0,
            last_pulled_at: access.occurred_at,
        });
        usage.pulls += 1;
        usage.last_pulled_at = usage.last_pulled_at.max(access.occurred_at);
        for (code, name) in pulled_items(&access.indicators, &names) {
            if !usage.indicators.contains(&code) {
                usage.indicators.push(code);
                usage.indicator_names.push(name);
            }
        }
    }
    let mut uses: Vec<Usage> = uses.into_values().collect();
    uses.sort_by_key(|u| std::cmp::Reverse(u.last_pulled_at));
    Ok(RegionUsage { region: region.to_string(), total_pulls: accesses.len() as u64, uses })
}

/// What an access read, as (code, name): indicators (`A.B,C.D`), or a register and its columns
/// (`REG.DIBAO:head_name,members`, named 农村低保户台账（户主姓名、保障人数）).
fn pulled_items(text: &str, names: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    if let Some((register, columns)) = text.split_once(':') {
        let columns: Vec<String> =
            columns.split(',').filter(|c| !c.is_empty()).map(|c| name(&format!("{register}.{c}"))).collect();
        return vec![(register.to_owned(), format!("{}（{}）", name(register), columns.join("、")))];
    }
    text.split(',').filter(|c| !c.is_empty()).map(|c| (c.to_owned(), name(c))).collect()
}

/// Whether the village's form of `period` stood approved at `at`: the last workflow event by then
/// was an approval; a form with no events (loaded approved) counts from when it was last changed.
fn approved_at(entries: &[EntryRow], events: &[EntryEventRow], period: &str, at: NaiveDateTime) -> bool {
    let of_period: Vec<&EntryEventRow> = events.iter().filter(|e| e.period == period).collect();
    if of_period.is_empty() {
        return entries.iter().any(|e| e.period == period && e.status == "approved" && e.updated_at <= at);
    }
    of_period
        .iter()
        .filter(|e| e.occurred_at <= at)
        .max_by_key(|e| (e.occurred_at, e.id))
        .is_some_and(|e| e.action == "approve")
}

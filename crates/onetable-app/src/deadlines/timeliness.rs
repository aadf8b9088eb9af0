//! Timeliness (及时率, DHIS2's reporting rate on time): for each child region, how many villages
//! submitted a period's form by its due date, late, or not yet, and how many are approved — and
//! the villages that are overdue, for the reviewer to chase.

use chrono::NaiveDate;
use onetable_core::workflow::{EntryStatus, SUBMIT};
use onetable_core::{deadline, RegionCode, RegionLevel, Role};
use onetable_store::{deadlines as store, entries, regions};
use serde::Serialize;
use utoipa::ToSchema;

use super::Deadlines;
use crate::actor::{region_not_found, Actor};
use crate::entries::parse_period;
use crate::input::region_code;
use crate::problem::{AppResult, Problem};
use crate::App;

/// One child region's villages by timeliness.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct TimelinessRow {
    pub code: String,
    pub name: String,
    /// Villages expected to report.
    pub expected: usize,
    /// Submitted (and not since returned) by the due date.
    pub on_time: usize,
    /// Submitted after the due date.
    pub late: usize,
    /// Not submitted (no form, a draft, or returned).
    pub not_submitted: usize,
    /// Of those submitted, approved.
    pub approved: usize,
    /// Not submitted and past the due date.
    pub overdue: usize,
}

/// A village whose form is past its due date and not submitted.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueVillage {
    pub code: String,
    pub name: String,
    /// The child region of `within` it lies in (absent when `within`'s children are villages).
    pub parent_name: Option<String>,
    /// `not_started`, `draft` or `returned`.
    pub status: String,
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    pub days_overdue: i64,
}

/// Timeliness of a period inside a region.
#[derive(Debug, Serialize, ToSchema)]
pub struct Timeliness {
    pub within: String,
    pub period: String,
    /// The due date most of the villages have (a region may set its own).
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub today: NaiveDate,
    pub rows: Vec<TimelinessRow>,
    pub overdue_villages: Vec<OverdueVillage>,
}

/// Each child region of `within` with its villages by timeliness for `period`, and the overdue
/// villages (most overdue first).
///
/// # Errors
/// 403 for roles other than reviewer and admin; 404 outside the scope or unknown; 400 a village or
/// a bad period.
pub async fn timeliness(app: &App, actor: &Actor, within: Option<String>, period: String) -> AppResult<Timeliness> {
    app.authorize(actor, "timeliness.read", None, actor.require_role(&[Role::Reviewer, Role::Admin])).await?;
    let period = parse_period(period.trim())?;
    let within = match within.as_deref() {
        Some(text) => region_code(text, "within")?,
        None => actor.scope.region().ok_or_else(|| Problem::bad_request("invalid_query", "请指定 within"))?,
    };
    app.authorize(actor, "timeliness.read", Some(within.to_string()), actor.require_read(within)).await?;
    if within.level() == RegionLevel::Village {
        return Err(Problem::bad_request("invalid_query", "within 须为村以上的区划"));
    }
    let today = crate::time::china_today();
    app.run(move |conn| {
        if regions::find(conn, within)?.is_none() {
            return Err(region_not_found(within));
        }
        let (low, high) = (within.to_string(), within.descendant_upper_bound());
        let deadlines = Deadlines::around(conn, within, period)?;
        let submitted = store::first_submissions(conn, &low, &high, &period.to_string(), SUBMIT.name)?;
        let statuses = entries::village_statuses(conn, within, &period.to_string())?;
        let children = regions::children(conn, within, 10_000, 0)?.items;
        let mut rows: Vec<(RegionCode, TimelinessRow)> = children
            .into_iter()
            .filter_map(|c| {
                Some((
                    RegionCode::parse(&c.code).ok()?,
                    TimelinessRow { code: c.code, name: c.name, ..TimelinessRow::default() },
                ))
            })
            .collect();
        let mut overdue = Vec::new();
        for (village, status) in &statuses {
            let Ok(code) = RegionCode::parse(village) else { continue };
            let Some((_, row)) = rows.iter_mut().find(|(child, _)| child.contains(code)) else { continue };
            let due = deadlines.due(code, period).due;
            row.expected += 1;
            let status = status.as_deref().map_or(Ok(EntryStatus::Draft), str::parse::<EntryStatus>).ok();
            let handed_in = matches!(status, Some(EntryStatus::Submitted | EntryStatus::Approved));
            if handed_in {
                // A submission counts by the China date it was first made on.
                let on = submitted.get(village).map(|at| crate::time::china_date(*at));
                if on.is_none_or(|day| day <= due) {
                    row.on_time += 1;
                } else {
                    row.late += 1;
                }
                if status == Some(EntryStatus::Approved) {
                    row.approved += 1;
                }
            } else {
                row.not_submitted += 1;
                if today > due {
                    row.overdue += 1;
                    let parent = (row.code != *village).then(|| row.name.clone());
                    overdue.push((code, parent, due));
                }
            }
        }
        let codes: Vec<String> = overdue.iter().map(|(code, ..)| code.to_string()).collect();
        let names = crate::regions::names::names(conn, codes.iter().map(String::as_str))?;
        let status_of: std::collections::HashMap<&String, &Option<String>> =
            statuses.iter().map(|(v, s)| (v, s)).collect();
        let mut overdue_villages: Vec<OverdueVillage> = overdue
            .into_iter()
            .map(|(code, parent_name, due)| {
                let key = code.to_string();
                OverdueVillage {
                    name: names.get(&key).cloned().unwrap_or_default(),
                    status: status_of.get(&key).and_then(|s| (*s).clone()).unwrap_or_else(|| "not_started".to_owned()),
                    code: key,
                    parent_name,
                    due,
                    days_overdue: -deadline::days_left(due, today),
                }
            })
            .collect();
        overdue_villages.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then_with(|| a.code.cmp(&b.code)));
        Ok(Timeliness {
            within: within.to_string(),
            period: period.to_string(),
            due: deadlines.due(within, period).due,
            today,
            rows: rows.into_iter().map(|(_, row)| row).collect(),
            overdue_villages,
        })
    })
    .await
}

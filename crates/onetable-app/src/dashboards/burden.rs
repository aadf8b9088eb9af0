//! The burden report (减负成效) for admins: what the platform saves villages in a region — active
//! requests, departments served, pulls this month, indicators requested and reused, and how many
//! indicators villages are asked to enter.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Utc};
use onetable_core::indicator::IndicatorStatus;
use onetable_core::Role;
use onetable_store::{registry, sharing as store};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::Actor;
use crate::input::region_code;
use crate::problem::{AppResult, Problem};
use crate::App;

#[derive(Debug, Serialize, ToSchema)]
pub struct Burden {
    pub within: String,
    /// Approved, unexpired requests covering (part of) the region.
    pub active_requests: usize,
    /// Departments with an active request.
    pub departments_served: Vec<String>,
    /// Pulls of data covering the region since the first of this month (UTC).
    pub pulls_this_month: usize,
    /// Distinct indicators the active requests use.
    pub indicators_requested: usize,
    /// Indicators named by two or more active requests: entered once, used several times.
    pub indicators_reused: Vec<String>,
    /// Distinct indicators villages are asked to enter (active, not derived, every frequency):
    /// the number the platform exists to keep low.
    pub indicators_entered_by_villages: usize,
    /// The same, department by department (by name), for the chart per department.
    pub by_department: Vec<DepartmentBurden>,
    /// The latest clean-up of departments' old forms (报表清理): N forms, M columns → K needs.
    pub forms_cleanup: Option<FormsCleanup>,
    /// 数据回流, department by department: values it supplied to the region's villages, how many
    /// the villages confirmed, how many they corrected.
    pub supplies: Vec<SupplyBurden>,
}

/// What one supplying department gave the region's villages, and what became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupplyBurden {
    pub department: String,
    pub supplied: i64,
    pub confirmed: i64,
    pub corrected: i64,
}

/// The counts of the latest clean-up run (POST /api/v1/forms/cleanup).
#[derive(Debug, Serialize, ToSchema)]
pub struct FormsCleanup {
    pub forms: i64,
    pub columns: i64,
    pub distinct_needs: i64,
    pub in_registry: i64,
    pub new_needs: i64,
    pub run_at: chrono::DateTime<Utc>,
}

/// What one department asks of the region's villages, and uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentBurden {
    pub department: String,
    pub active_requests: usize,
    /// Distinct indicators its active requests name.
    pub indicators_requested: usize,
    /// Of those, how many another department's active request also names (entered once, shared).
    pub indicators_shared: usize,
    pub pulls_this_month: usize,
}

/// The burden report of `within` (default: the admin's scope).
///
/// # Errors
/// 403 for other roles, 404 outside the scope, 400 for a bad code.
pub async fn burden(app: &App, actor: &Actor, within: Option<String>) -> AppResult<Burden> {
    let action = "burden.read";
    app.authorize(actor, action, None, actor.require_role(&[Role::Admin])).await?;
    let within = match within.as_deref() {
        Some(text) => region_code(text.trim(), "within")?,
        None => actor.scope.region().ok_or_else(|| Problem::bad_request("invalid_query", "请指定 within"))?,
    };
    app.authorize(actor, action, Some(within.to_string()), actor.require_read(within)).await?;
    let now = Utc::now();
    let month_start = now.date_naive().with_day(1).unwrap_or(now.date_naive()).and_hms_opt(0, 0, 0).unwrap_or_default();
    let (low, high) = (within.to_string(), within.descendant_upper_bound());
    let ancestors: Vec<String> = within.ancestors().iter().map(ToString::to_string).collect();
    let (village_low, village_high) = (low.clone(), high.clone());
    let (active, pulls, entered, cleanup, supplies) = app
        .run(move |conn| {
            let active = store::active(conn, &low, &high, &ancestors, now.naive_utc())?;
            let pulls = store::accesses_since(conn, &low, &high, &ancestors, month_start)?;
            let entered = registry::current(conn)?
                .values()
                // Computed here (a formula, a register's count) is not entered by the village.
                .filter(|r| {
                    r.status == IndicatorStatus::Active.as_ref()
                        && r.formula.is_none()
                        && r.register_aggregate.is_none()
                })
                .count();
            let cleanup = crate::legacy::cleanup::latest(conn)?;
            let supplies = onetable_store::supplies::burden_counts(conn, &village_low, &village_high)?;
            Ok((active, pulls, entered, cleanup, supplies))
        })
        .await?;
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for request in &active {
        let codes: BTreeSet<&str> = request.indicators.split(',').filter(|c| !c.is_empty()).collect();
        for code in codes {
            *uses.entry(code.to_owned()).or_default() += 1;
        }
    }
    let departments: BTreeSet<String> = active.iter().map(|r| r.department.clone()).collect();
    let by_department = departments
        .iter()
        .map(|department| {
            let own: Vec<_> = active.iter().filter(|r| &r.department == department).collect();
            let codes: BTreeSet<&str> =
                own.iter().flat_map(|r| r.indicators.split(',')).filter(|c| !c.is_empty()).collect();
            let shared = codes
                .iter()
                .filter(|code| {
                    active.iter().any(|r| &r.department != department && r.indicators.split(',').any(|c| c == **code))
                })
                .count();
            DepartmentBurden {
                department: department.clone(),
                active_requests: own.len(),
                indicators_requested: codes.len(),
                indicators_shared: shared,
                pulls_this_month: pulls.iter().filter(|p| &p.department == department).count(),
            }
        })
        .collect();
    let pulls = pulls.len();
    Ok(Burden {
        within: within.to_string(),
        active_requests: active.len(),
        departments_served: departments.into_iter().collect(),
        pulls_this_month: pulls,
        indicators_requested: uses.len(),
        indicators_reused: uses.iter().filter(|(_, n)| **n > 1).map(|(c, _)| c.clone()).collect(),
        indicators_entered_by_villages: entered,
        by_department,
        forms_cleanup: cleanup.map(|c| FormsCleanup {
            forms: c.forms,
            columns: c.columns_total,
            distinct_needs: c.distinct_needs,
            in_registry: c.in_registry,
            new_needs: c.new_needs,
            run_at: c.run_at.and_utc(),
        }),
        supplies: supplies
            .into_iter()
            .map(|(department, supplied, confirmed, corrected)| SupplyBurden {
                department,
                supplied,
                confirmed,
                corrected,
            })
            .collect(),
    })
}

//! The items of a saved dashboard: what each one draws, checked against the registry and the
//! dashboard's region when saved, and its period rule resolved to a period when read.

use std::collections::BTreeMap;

use chrono::Datelike;
use onetable_core::indicator::Frequency;
use onetable_core::{Period, RegionCode, RegionLevel};
use onetable_store::registry::IndicatorRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::problem::Problem;
use crate::regions::Level;
use crate::text::Text;

/// The most items one dashboard holds, and indicators one item draws.
pub const MAX_ITEMS: usize = 12;
pub const MAX_INDICATORS: usize = 10;

/// What an item draws.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// One bar per region at `level`, a chart per indicator.
    Bar,
    /// Each indicator over the last `span` periods, the region's total and its parts.
    Line,
    /// The table of regions at `level` and indicators.
    Table,
    /// Expected, submitted and approved forms per region at `level` (no indicators).
    Completeness,
}

/// One chart or table of a saved dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DashboardItem {
    /// Shown above it (default: the indicators' names).
    pub title: Option<Text<60>>,
    pub chart: ChartKind,
    /// Indicator codes; none for `completeness`.
    #[serde(default)]
    pub indicators: Vec<String>,
    /// The level of the rows (default: one below the dashboard's region).
    pub level: Option<Level>,
    /// `latest_annual` (the last closed year), `latest_quarterly`, `latest_monthly`, or a period
    /// such as `2025`.
    #[schema(example = "latest_annual")]
    pub period: String,
    /// Line charts: how many periods up to `period` (2 to 12, default 3).
    pub span: Option<u8>,
}

/// An item as a dashboard is read: its rule resolved on the day of reading.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    #[serde(flatten)]
    pub item: DashboardItem,
    /// The period the rule names today, e.g. `2025` for `latest_annual`.
    pub resolved_period: String,
    /// Line charts: the periods to ask `/aggregates/series` for, e.g. `2023..2025`.
    pub resolved_periods: Option<String>,
    pub resolved_level: Level,
}

/// The period a rule names on `today` (China's date).
fn resolve_period(rule: &str, today: chrono::NaiveDate) -> Result<Period, String> {
    let month = u8::try_from(today.month()).unwrap_or(1);
    let latest = |frequency| Period::last_closed(frequency, today.year(), month);
    match rule.trim() {
        "latest_annual" => Ok(latest(Frequency::Annual)),
        "latest_quarterly" => Ok(latest(Frequency::Quarterly)),
        "latest_monthly" => Ok(latest(Frequency::Monthly)),
        other => Period::parse(other).map_err(|_| {
            format!("期别规则“{other}”无效：应为 latest_annual、latest_quarterly、latest_monthly 或 2025 这样的期别")
        }),
    }
}

fn level_of(item: &DashboardItem, region: RegionCode) -> RegionLevel {
    item.level.map_or_else(
        || RegionLevel::ALL.get(region.level().index() + 1).copied().unwrap_or(RegionLevel::Village),
        RegionLevel::from,
    )
}

/// Every problem of the items, each naming its field (`items[2].indicators`).
///
/// # Errors
/// 422 `invalid_dashboard` with one detail per problem.
pub fn check(
    items: &[DashboardItem],
    region: RegionCode,
    registry: &BTreeMap<String, IndicatorRow>,
    today: chrono::NaiveDate,
) -> Result<(), Problem> {
    let mut problem = Problem::unprocessable("invalid_dashboard", "看板内容有误，请按提示修改");
    if items.is_empty() || items.len() > MAX_ITEMS {
        problem = problem.with_detail(Some("items"), "invalid_length", format!("看板须有 1 到 {MAX_ITEMS} 项"));
    }
    for (i, item) in items.iter().enumerate() {
        let field = |name: &str| format!("items[{i}].{name}");
        let period = match resolve_period(&item.period, today) {
            Ok(period) => Some(period),
            Err(message) => {
                problem = problem.with_detail(Some(&field("period")), "invalid_period", message);
                None
            }
        };
        let level = level_of(item, region);
        if level <= region.level() && item.chart != ChartKind::Line {
            problem = problem.with_detail(Some(&field("level")), "invalid_level", "层级须低于看板所属地区的层级");
        }
        let wants_indicators = item.chart != ChartKind::Completeness;
        if wants_indicators && (item.indicators.is_empty() || item.indicators.len() > MAX_INDICATORS) {
            problem = problem.with_detail(
                Some(&field("indicators")),
                "invalid_length",
                format!("须选 1 到 {MAX_INDICATORS} 个指标"),
            );
        }
        if !wants_indicators && !item.indicators.is_empty() {
            problem = problem.with_detail(Some(&field("indicators")), "not_allowed", "完成情况图不选指标");
        }
        for code in &item.indicators {
            match registry.get(code) {
                None => {
                    problem = problem.with_detail(
                        Some(&field("indicators")),
                        "unknown_indicator",
                        format!("没有指标 {code}"),
                    );
                }
                Some(row) if row.status != "active" => {
                    problem =
                        problem.with_detail(Some(&field("indicators")), "not_active", format!("{code} 不是在用指标"));
                }
                Some(row) if period.is_some_and(|p| row.frequency != p.frequency().as_ref()) => {
                    problem = problem.with_detail(
                        Some(&field("indicators")),
                        "wrong_frequency",
                        format!("{code} 的填报频度与期别不符"),
                    );
                }
                Some(_) => {}
            }
        }
        if item.span.is_some_and(|s| !(2..=12).contains(&s)) {
            problem = problem.with_detail(Some(&field("span")), "out_of_range", "年份跨度须在 2 到 12 之间");
        }
    }
    if problem.has_details() {
        Err(problem)
    } else {
        Ok(())
    }
}

/// The item with its rule resolved on `today`; a rule that no longer resolves keeps its text.
#[must_use]
pub fn view(item: DashboardItem, region: RegionCode, today: chrono::NaiveDate) -> ItemView {
    let period = resolve_period(&item.period, today).ok();
    let resolved_period = period.map_or_else(|| item.period.clone(), |p| p.to_string());
    let resolved_periods = (item.chart == ChartKind::Line).then(|| {
        let end = period.unwrap_or(Period::Year(today.year() - 1));
        let start = (1..item.span.unwrap_or(3)).fold(end, |p, _| p.previous());
        format!("{start}..{end}")
    });
    let resolved_level = Level::from(level_of(&item, region));
    ItemView { item, resolved_period, resolved_periods, resolved_level }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_name_the_last_closed_period() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 2, 10).unwrap();
        assert_eq!(resolve_period("latest_annual", today), Ok(Period::Year(2025)));
        assert_eq!(resolve_period("latest_quarterly", today), Ok(Period::Quarter(2025, 4)));
        assert_eq!(resolve_period("latest_monthly", today), Ok(Period::Month(2026, 1)));
        assert_eq!(resolve_period("2024", today), Ok(Period::Year(2024)));
        assert!(resolve_period("last year", today).is_err());
    }
}

//! `GET /api/v1/quality/outliers`: each village's value against its own last periods and against
//! its county's villages this period, with the reason in Chinese. It names villages, so only
//! reviewers and admins over the region read it — never a dashboard viewer.

use onetable_analytics::cube::EntryState;
use onetable_analytics::quality::{self, Method, OutlierAsk};
use onetable_core::{Period, RegionCode, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actor::Actor;
use crate::entries::form::parse_period;
use crate::input::region_code;
use crate::problem::{AppResult, Problem};
use crate::reports::code_list;
use crate::App;

/// Earlier periods a village's value is compared with.
pub const HISTORY_PERIODS: usize = 5;
const DEFAULT_LIMIT: usize = 500;
const MAX_LIMIT: usize = 10_000;
const MAX_THRESHOLD: f64 = 100.0;

/// What to look for.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutlierQuery {
    /// The region whose villages are checked (default: the caller's scope).
    pub within: Option<String>,
    /// `2025`, `2025Q3`, `2025-11`.
    pub period: String,
    /// Comma-separated indicator codes (derived ones too); default: every numeric one of the
    /// period's form.
    pub indicators: Option<String>,
    /// `mod_z` (default: median and MAD), `z` (mean and sd) or `min_max` (mean ± threshold·sd).
    pub method: Option<String>,
    /// How far counts as an outlier: default 3.5 for mod_z, 3 otherwise; above 0, at most 100.
    pub threshold: Option<f64>,
    /// `history`, `peers` or `both` (default).
    pub against: Option<String>,
    /// Most outliers answered, strongest first (default 500, at most 10,000).
    pub limit: Option<usize>,
}

/// One value earlier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Earlier {
    pub period: String,
    pub value: f64,
}

/// A flagged value.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Outlier {
    pub village: String,
    pub village_name: String,
    pub indicator: String,
    pub indicator_name: String,
    pub value: f64,
    /// `history` (the village's own last periods) or `peers` (its county's villages).
    pub against: String,
    /// How far from the baseline, in its spread (never below 5 % of the center).
    pub score: f64,
    /// The baseline's median (mod_z) or mean; per 1,000 inhabitants against peers for counts.
    pub baseline: f64,
    /// 比上期（2024）增长 900%；前 5 期中位 2450 · 高于全县 99% 的村…
    pub reason: String,
    /// Against history: the earlier values, oldest first.
    pub history: Vec<Earlier>,
}

/// The outliers of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutlierReport {
    pub period: String,
    pub within: Option<String>,
    pub method: String,
    pub threshold: f64,
    pub against: String,
    /// The earlier periods compared with, newest first.
    pub history_periods: Vec<String>,
    /// Village values checked.
    pub checked: usize,
    /// Of them, with fewer than 3 earlier periods: not compared with their history.
    pub short_history: usize,
    /// More outliers than `limit` were found.
    pub truncated: bool,
    pub outliers: Vec<Outlier>,
}

fn invalid(field: &str, message: impl Into<String>) -> Problem {
    let message = message.into();
    Problem::bad_request("invalid_query", message.clone()).with_detail(Some(field), "invalid_value", message)
}

/// Checks the query against the actor: the method, threshold, comparison, limit and region.
fn parse(query: &OutlierQuery) -> Result<(Method, f64, bool, bool, usize), Problem> {
    let method = match query.method.as_deref().map(str::trim) {
        None | Some("" | "mod_z") => Method::ModZ,
        Some("z") => Method::Z,
        Some("min_max") => Method::MinMax,
        Some(other) => return Err(invalid("method", format!("method 应为 mod_z、z 或 min_max，收到“{other}”"))),
    };
    let threshold = query.threshold.unwrap_or(if method == Method::ModZ { 3.5 } else { 3.0 });
    if !(threshold > 0.0 && threshold <= MAX_THRESHOLD) {
        return Err(invalid("threshold", format!("threshold 应大于 0、不超过 {MAX_THRESHOLD}，收到 {threshold}")));
    }
    let (history, peers) = match query.against.as_deref().map(str::trim) {
        None | Some("" | "both") => (true, true),
        Some("history") => (true, false),
        Some("peers") => (false, true),
        Some(other) => return Err(invalid("against", format!("against 应为 history、peers 或 both，收到“{other}”"))),
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid("limit", format!("limit 应在 1 到 {MAX_LIMIT} 之间，收到 {limit}")));
    }
    Ok((method, threshold, history, peers, limit))
}

/// The outliers a reviewer or admin looks at.
///
/// # Errors
/// 403 other roles (a viewer: the list names villages) or outside the scope; 400 a bad method,
/// threshold, comparison, limit, period, or an indicator not in the period's form.
pub async fn outliers(app: &App, actor: &Actor, query: OutlierQuery) -> AppResult<OutlierReport> {
    let action = "quality.outliers";
    let role = actor
        .require_role(&[Role::Reviewer, Role::Admin])
        .map_err(|_| Problem::forbidden("forbidden", "异常值列表列出具体的村，只有审核员和管理员可以查看"));
    app.authorize(actor, action, None, role).await?;
    let (method, threshold, history, peers, limit) = parse(&query)?;
    let period = parse_period(query.period.trim())?;
    let within: Option<RegionCode> = match query.within.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        Some(text) => Some(region_code(text, "within")?),
        None => actor.scope.region(),
    };
    if let Some(within) = within {
        app.authorize(actor, action, Some(within.to_string()), actor.require_read(within)).await?;
    }
    let asked = query.indicators.as_deref().map(code_list).unwrap_or_default();
    let search =
        Search { period, within, asked, method, threshold, history, peers, limit, min_state: EntryState::Submitted };
    let cubes = app.cubes.clone();
    app.run(move |conn| search.run(conn, &cubes)).await
}

/// One village's flags, for its form: the clerk sees them before submitting, the reviewer beside
/// each field. Drafts count (the clerk's own values are not submitted yet), by the defaults.
///
/// # Errors
/// 403/404 as reading the entry.
pub async fn of_entry(app: &App, actor: &Actor, at: crate::entries::access::EntryRef) -> AppResult<OutlierReport> {
    crate::entries::access::authorize(
        app,
        actor,
        "quality.outliers",
        at,
        &[Role::Clerk, Role::Reviewer, Role::Admin],
        false,
    )
    .await?;
    let search = Search {
        period: at.period,
        within: Some(at.region),
        asked: Vec::new(),
        method: Method::ModZ,
        threshold: 3.5,
        history: true,
        peers: true,
        limit: MAX_LIMIT,
        min_state: EntryState::Open,
    };
    let cubes = app.cubes.clone();
    app.run(move |conn| search.run(conn, &cubes)).await
}

/// A checked search.
struct Search {
    period: Period,
    within: Option<RegionCode>,
    asked: Vec<String>,
    method: Method,
    threshold: f64,
    history: bool,
    peers: bool,
    limit: usize,
    min_state: EntryState,
}

impl Search {
    fn run(self, conn: &mut onetable_store::DbConn, cubes: &crate::cubes::CubeCache) -> AppResult<OutlierReport> {
        let Self { period, within, asked, method, threshold, history, peers, limit, min_state } = self;
        let earlier: Vec<Period> =
            std::iter::successors(Some(period.previous()), |p| Some(p.previous())).take(HISTORY_PERIODS).collect();
        // The period's cube first: which indicators it holds decides what is asked of the others.
        let (codes, names) = cubes.read(conn, period, |cube| {
            // Bounded before anything is read: no more codes than the period's form holds.
            if asked.len() > cube.measures().len().max(1) {
                return Err(invalid("indicators", format!("指标多于 {period} 期报表中的指标")));
            }
            let codes: Vec<String> = if asked.is_empty() {
                cube.measures()
                    .iter()
                    .filter(|m| m.kind.is_numeric() || m.is_derived())
                    .map(|m| m.code.clone())
                    .collect()
            } else {
                let mut error = Problem::bad_request("unknown_indicator", format!("这些指标不在 {period} 期的报表中"));
                for code in asked.iter().filter(|c| cube.measure(c).is_none()) {
                    error = error.with_detail(
                        Some("indicators"),
                        "unknown_indicator",
                        format!("{code} 不是 {period} 期的在用指标"),
                    );
                }
                if error.has_details() {
                    return Err(error);
                }
                asked.clone()
            };
            let names: Vec<String> =
                codes.iter().map(|c| cube.measure(c).map(|m| m.name.clone()).unwrap_or_default()).collect();
            Ok((codes, names))
        })?;
        let mut past = Vec::with_capacity(earlier.len());
        if history {
            for p in &earlier {
                let values = cubes.read(conn, *p, |cube| {
                    quality::village_values(cube, &[], within, &codes, min_state).map_err(crate::cubes::internal)
                })?;
                past.push((p.to_string(), values));
            }
        }
        let ask = OutlierAsk { within, indicators: codes.clone(), method, threshold, history, peers, min_state };
        let (flags, checked, village_names) = cubes.read_with(conn, period, |cube, containing| {
            let (flags, checked) = quality::outliers(cube, containing, &past, &ask).map_err(crate::cubes::internal)?;
            let village_names: Vec<String> =
                flags.iter().take(limit).map(|f| cube.name(f.village).unwrap_or_default().to_owned()).collect();
            Ok((flags, checked, village_names))
        })?;
        let truncated = flags.len() > limit;
        let outliers = flags
            .into_iter()
            .take(limit)
            .zip(village_names)
            .map(|(f, village_name)| Outlier {
                village: f.village.to_string(),
                village_name,
                indicator_name: codes
                    .iter()
                    .position(|c| *c == f.indicator)
                    .map(|i| names[i].clone())
                    .unwrap_or_default(),
                indicator: f.indicator,
                value: f.value,
                against: f.against.to_owned(),
                score: (f.score * 100.0).round() / 100.0,
                baseline: (f.baseline * 100.0).round() / 100.0,
                reason: f.reason,
                history: f.history.into_iter().map(|(period, value)| Earlier { period, value }).collect(),
            })
            .collect();
        Ok(OutlierReport {
            period: period.to_string(),
            within: within.map(|w| w.to_string()),
            method: method.as_str().to_owned(),
            threshold,
            against: match (history, peers) {
                (true, true) => "both",
                (true, false) => "history",
                _ => "peers",
            }
            .to_owned(),
            history_periods: if history { earlier.iter().map(ToString::to_string).collect() } else { Vec::new() },
            checked: checked.values,
            short_history: checked.short_history,
            truncated,
            outliers,
        })
    }
}

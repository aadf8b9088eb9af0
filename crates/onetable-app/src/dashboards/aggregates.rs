//! Aggregates for dashboards (汇总看板): live rollups of a region's parts for viewers, admins and
//! reviewers in scope — and what a viewer may see of them (see [`super::protection`]).

use onetable_analytics::{Cube, EntryState, Report, Selection};
use onetable_core::{Period, RegionCode, RegionLevel, Role};

use super::protection::{hidden_from, suppress_small_counts};
use crate::actor::Actor;
use crate::entries::parse_period;
use crate::input::region_code;
use crate::problem::{AppResult, Problem};
use crate::reports::{code_list, Format};
use crate::App;

/// What a dashboard asks for, as the caller wrote it.
#[derive(Debug, Clone, Default)]
pub struct AggregateAsk {
    /// Comma-separated indicator codes.
    pub indicators: String,
    /// Default: the actor's scope.
    pub within: Option<String>,
    /// Default: one level below `within`.
    pub level: Option<RegionLevel>,
    pub period: String,
    /// `submitted`: admins and reviewers.
    pub include: Option<String>,
    pub format: Option<String>,
}

/// The rollup, with what was withheld from the actor.
#[derive(Debug)]
pub struct Aggregates {
    pub period: Period,
    /// `None`: the whole country.
    pub within: Option<RegionCode>,
    pub level: RegionLevel,
    pub format: Format,
    pub report: Report,
    /// Sensitive indicators not shown at this level to this actor.
    pub withheld: Vec<String>,
    /// Every change stored before this moment is in the rollup (the cube caught up on reading).
    pub as_of: chrono::DateTime<chrono::Utc>,
}

/// What a dashboard asked, checked against the actor: the region, the level of the rows, which
/// entries count and the indicators. Shared by one period ([`aggregates`]) and several
/// ([`super::series`]).
#[derive(Debug, Clone)]
pub(super) struct Checked {
    /// `None`: the whole country (a nationwide actor that names no region).
    pub within: Option<RegionCode>,
    pub level: RegionLevel,
    min_state: EntryState,
    codes: Vec<String>,
    role: Role,
}

/// # Errors
/// 403 for other roles, 404 outside the scope, 400 for malformed parameters.
pub(super) async fn check(
    app: &App,
    actor: &Actor,
    within: Option<&str>,
    level: Option<RegionLevel>,
    include: Option<&str>,
    indicators: &str,
) -> AppResult<Checked> {
    let action = "aggregates.read";
    app.authorize(actor, action, None, actor.require_role(&[Role::Viewer, Role::Admin, Role::Reviewer])).await?;
    let within = match within {
        Some(text) => Some(region_code(text.trim(), "within")?),
        None => actor.scope.region(),
    };
    if let Some(within) = within {
        app.authorize(actor, action, Some(within.to_string()), actor.require_read(within)).await?;
    }
    let level = match (level, within) {
        (Some(level), _) => level,
        (None, Some(within)) => {
            RegionLevel::ALL.get(within.level().index() + 1).copied().unwrap_or(RegionLevel::Village)
        }
        (None, None) => RegionLevel::Province,
    };
    if let Some(within) = within.filter(|w| level < w.level()) {
        return Err(Problem::bad_request("invalid_level", format!("level 不能高于 within（{within}）的层级")));
    }
    let min_state = match include {
        None => EntryState::Approved,
        Some("submitted") if actor.role != Role::Viewer => EntryState::Submitted,
        Some("submitted") => return Err(Problem::forbidden("forbidden", "看板用户只能看已审核的数据")),
        Some(other) => {
            return Err(Problem::bad_request("invalid_query", format!("include 只能是 submitted，而不是 {other}")))
        }
    };
    // None at all: the completeness columns only (a dashboard's 完成情况 chart).
    let codes = code_list(indicators);
    Ok(Checked { within, level, min_state, codes, role: actor.role })
}

/// The rollup of one period's cube at `level`, with what the actor may not see withheld or
/// suppressed.
///
/// # Errors
/// 400 when an indicator is not in the period's form.
pub(super) fn roll(
    cube: &Cube,
    containing: &[&Cube],
    period: Period,
    ask: &Checked,
    level: RegionLevel,
) -> Result<(Report, Vec<String>), Problem> {
    let mut error = Problem::bad_request("unknown_indicator", format!("这些指标不在 {period} 期的报表中"));
    for code in &ask.codes {
        if cube.measure(code).is_none() {
            error = error.with_detail(
                Some("indicators"),
                "unknown_indicator",
                format!("{code} 不是 {period} 期的在用指标"),
            );
        }
    }
    if error.has_details() {
        return Err(error);
    }
    let hide = |code: &String| hidden_from(ask.role, level, cube, code);
    let withheld: Vec<String> = ask.codes.iter().filter(|c| hide(c)).cloned().collect();
    let shown: Vec<String> = ask.codes.iter().filter(|c| !hide(c)).cloned().collect();
    let selection = Selection { within: ask.within, indicators: shown, min_state: ask.min_state };
    let mut report = cube.rollup_with(&selection, level, containing).map_err(crate::cubes::internal)?;
    if ask.role == Role::Viewer {
        suppress_small_counts(&mut report);
    }
    Ok((report, withheld))
}

/// One row per region at the level inside `within`: each indicator rolled up by its rule,
/// derived indicators as ratio of sums, and completeness. Approved entries' values only, unless
/// an admin or reviewer asks for submitted ones too.
///
/// # Errors
/// 403 for other roles, 404 outside the scope, 400 for malformed parameters.
pub async fn aggregates(app: &App, actor: &Actor, ask: AggregateAsk) -> AppResult<Aggregates> {
    let checked = check(app, actor, ask.within.as_deref(), ask.level, ask.include.as_deref(), &ask.indicators).await?;
    let period = parse_period(ask.period.trim())?;
    let format = Format::parse(ask.format.as_deref())?;
    if format == Format::Parquet {
        return Err(Problem::bad_request("invalid_format", "汇总只提供 json、csv、xlsx；Parquet 请通过数据需求调取"));
    }
    let cubes = app.cubes.clone();
    let as_of = chrono::Utc::now();
    let (within, level) = (checked.within, checked.level);
    let (report, withheld) = app
        .run(move |conn| {
            cubes.read_with(conn, period, |cube, containing| roll(cube, containing, period, &checked, checked.level))
        })
        .await?;
    Ok(Aggregates { period, within, level, format, report, withheld, as_of })
}

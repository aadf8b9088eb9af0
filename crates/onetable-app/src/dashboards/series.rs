//! Trends (趋势): the aggregates of several periods in one request — for the region itself and its
//! parts at a level — under the same protection rules as one period's.

use onetable_analytics::Report;
use onetable_core::period::ManyPeriodsError;
use onetable_core::{Period, RegionCode, RegionLevel};

use super::aggregates::{check, roll};
use crate::actor::Actor;
use crate::entries::parse_period;
use crate::problem::{AppResult, Problem};
use crate::App;

/// What a trend chart asks for, as the caller wrote it.
#[derive(Debug, Clone, Default)]
pub struct SeriesAsk {
    /// Comma-separated indicator codes.
    pub indicators: String,
    /// Default: the actor's scope.
    pub within: Option<String>,
    /// The level of the parts (default: one level below `within`).
    pub level: Option<RegionLevel>,
    /// A list or range of periods of one frequency: `2023,2024,2025`, `2023..2025`, `2025Q1..2025Q4`.
    pub periods: String,
    /// The name of the parameter that carried `periods`, for errors (default `periods`).
    pub periods_field: Option<&'static str>,
    /// `submitted`: admins and reviewers.
    pub include: Option<String>,
}

/// One period of a trend: the region's own row and its parts'.
#[derive(Debug)]
pub struct SeriesPeriod {
    pub period: Period,
    /// One row: `within` itself (`None` for the whole country).
    pub total: Option<Report>,
    /// One row per part of `within` at `level`.
    pub parts: Report,
}

#[derive(Debug)]
pub struct Series {
    /// `None`: the whole country.
    pub within: Option<RegionCode>,
    pub level: RegionLevel,
    pub periods: Vec<SeriesPeriod>,
    /// Sensitive indicators not shown to this actor in the parts' rows.
    pub withheld: Vec<String>,
    pub as_of: chrono::DateTime<chrono::Utc>,
}

/// The aggregates of `within` and of its parts for each period asked.
///
/// # Errors
/// 403 for other roles, 404 outside the scope, 400 for malformed parameters or an indicator that
/// is not in one of the periods' forms, 422 for more than [`onetable_core::period::MAX_PERIODS`] periods.
pub async fn series(app: &App, actor: &Actor, ask: SeriesAsk) -> AppResult<Series> {
    let checked = check(app, actor, ask.within.as_deref(), ask.level, ask.include.as_deref(), &ask.indicators).await?;
    let field = Some(ask.periods_field.unwrap_or("periods"));
    let periods = Period::parse_many(&ask.periods).map_err(|error| {
        let message = error.to_string();
        match error {
            // Well-formed but too long a span is a request we understand and will not serve.
            ManyPeriodsError::TooMany => Problem::unprocessable("too_many_periods", message.clone()).with_detail(
                field,
                "too_many_periods",
                message,
            ),
            ManyPeriodsError::Invalid(_) => {
                Problem::bad_request("invalid_period", message.clone()).with_detail(field, "invalid_period", message)
            }
        }
    })?;
    for period in &periods {
        // A period with no form yet (too far ahead) is refused as it is for one period.
        parse_period(&period.to_string())?;
    }
    let as_of = chrono::Utc::now();
    let (within, level) = (checked.within, checked.level);
    let cubes = app.cubes.clone();
    let (periods, withheld) = app
        .run(move |conn| {
            let mut out = Vec::with_capacity(periods.len());
            let mut withheld = Vec::new();
            for period in periods {
                let (total, parts, hidden) = cubes.read_with(conn, period, |cube, containing| {
                    // The whole country has no row of its own: its total is the provinces'.
                    let total = match checked.within {
                        Some(within) => Some(roll(cube, containing, period, &checked, within.level())?.0),
                        None => None,
                    };
                    let (parts, hidden) = roll(cube, containing, period, &checked, checked.level)?;
                    Ok((total, parts, hidden))
                })?;
                for code in hidden {
                    if !withheld.contains(&code) {
                        withheld.push(code);
                    }
                }
                out.push(SeriesPeriod { period, total, parts });
            }
            Ok((out, withheld))
        })
        .await?;
    Ok(Series { within, level, periods, withheld, as_of })
}

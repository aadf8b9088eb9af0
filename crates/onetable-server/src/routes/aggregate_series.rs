//! `GET /api/v1/aggregates/series`: the aggregates of several periods at once, for trend charts (趋势).

use actix_web::{get, web, HttpResponse};
use onetable_app::dashboards::series::{self as dashboards, Series, SeriesAsk};
use onetable_core::RegionLevel;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::{self, SeriesAnswer};
use crate::routes::params::Level;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Comma-separated indicator codes, e.g. `POP.REGISTERED,DER.AGEING_RATE`.
    pub indicators: String,
    /// The region (default: the caller's scope); its own row comes with its parts'.
    pub within: Option<String>,
    /// The level of the parts (default: one level below `within`).
    pub level: Option<Level>,
    /// Periods of one frequency, as a list or a range: `2023,2024,2025`, `2023..2025`,
    /// `2025Q1..2025Q4`, `2025-01..2025-12` (at most 60).
    pub periods: String,
    /// `submitted`: count submitted entries too (admins and reviewers).
    pub include: Option<String>,
}

/// For each period, oldest first: the region's own row (`total`) and one row per part at `level`,
/// as `GET /api/v1/aggregates` gives them for that period — with the same protection rules for
/// viewers (sensitive indicators withheld below county level, small counts as `"<5"`).
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(SeriesQuery),
    responses(
        (status = 200, body = SeriesAnswer),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "More than 60 periods", body = ErrorBody),
    )
)]
#[get("/api/v1/aggregates/series")]
pub async fn aggregate_series(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SeriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let ask = SeriesAsk {
        indicators: query.indicators,
        within: query.within,
        level: query.level.map(RegionLevel::from),
        periods: query.periods,
        periods_field: None,
        include: query.include,
    };
    let Series { within, level, periods, withheld, as_of } = dashboards::series(&state, &caller, ask).await?;
    let indicators = periods.first().map(|p| export::indicators(&p.parts)).unwrap_or_default();
    let series: Vec<serde_json::Value> = periods
        .iter()
        .map(|p| {
            serde_json::json!({
                "period": p.period.to_string(),
                "total": p.total.as_ref().and_then(|t| t.to_json_rows().into_iter().next()),
                "rows": p.parts.to_json_rows(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "within": within.map_or_else(|| "national".to_owned(), |w| w.to_string()),
        "level": level.as_str(),
        "periods": periods.iter().map(|p| p.period.to_string()).collect::<Vec<_>>(),
        "indicators": indicators,
        "withheld": withheld,
        "as_of": as_of,
        "series": series,
    })))
}

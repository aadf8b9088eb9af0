//! `GET /api/v1/aggregates`: live rollups for dashboards (汇总看板).

use actix_web::{get, web, HttpResponse};
use onetable_app::dashboards::aggregates::{self as dashboards, AggregateAsk, Aggregates};
use onetable_app::dashboards::series::{self as trends, Series, SeriesAsk};
use onetable_app::problem::Problem;
use onetable_core::RegionLevel;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::{self, AggregatesJson, Binary};
use crate::routes::params::Level;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AggregateQuery {
    /// Comma-separated indicator codes, e.g. `POP.REGISTERED,DER.AGEING_RATE`; empty for the
    /// completeness columns only.
    pub indicators: String,
    /// The region whose parts are listed (default: the caller's scope; for a nationwide caller,
    /// the whole country, whose parts are the provinces).
    pub within: Option<String>,
    /// The level of the rows (default: one level below `within`).
    pub level: Option<Level>,
    /// One period (`2025`, `2025Q3`, `2025-09`), or a list or range of one frequency
    /// (`2023..2025`, `2025Q1..2025Q4`, `2023,2025`; at most 60) for one series per region.
    pub period: String,
    /// `submitted`: count submitted entries too (admins and reviewers).
    pub include: Option<String>,
    /// `json` (default) or `csv`, `xlsx`.
    pub format: Option<String>,
}

/// One row per region at `level` inside `within`: each indicator rolled up by its rule (sum, avg,
/// min, max, count_true), derived indicators as ratio of sums, and completeness (villages
/// expected, submitted, approved). Values come from approved entries.
///
/// Viewers (看板用户): sensitive indicators are withheld below county level (listed in `withheld`),
/// and a sensitive count between 1 and 4 shows as `"<5"` at every level.
///
/// With a list or range of periods the answer is JSON only: `within`'s own series (`total`) and
/// one series per region, each point a period with its completeness and values.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(AggregateQuery),
    responses(
        (status = 200, description = "Rows with completeness and values by indicator code", content(
            (AggregatesJson = "application/json"),
            (String = "text/csv"),
            (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "More than 60 periods", body = ErrorBody),
    )
)]
#[get("/api/v1/aggregates")]
pub async fn aggregates(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AggregateQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    if query.period.contains("..") || query.period.contains(',') {
        return many_periods(&state, &caller, query).await;
    }
    let ask = AggregateAsk {
        indicators: query.indicators,
        within: query.within,
        level: query.level.map(RegionLevel::from),
        period: query.period,
        include: query.include,
        format: query.format,
    };
    let Aggregates { period, within, level, format, report, withheld, as_of } =
        dashboards::aggregates(&state, &caller, ask).await?;
    let within = within.map_or_else(|| "national".to_owned(), |w| w.to_string());
    let stem = format!("aggregates-{period}-{within}-{}", level.as_str());
    let listed = export::indicators(&report);
    export::respond(report, format, export::parse_headers(None)?, &stem, move |rows| {
        serde_json::json!({
            "period": period.to_string(),
            "within": within,
            "level": level.as_str(),
            "indicators": listed,
            "withheld": withheld,
            "as_of": as_of,
            "rows": rows,
        })
    })
    .await
}

/// Several periods: one series per region, from the same use case as trend charts.
async fn many_periods(state: &AppState, caller: &Caller, query: AggregateQuery) -> Result<HttpResponse, ApiError> {
    if !matches!(query.format.as_deref(), None | Some("json")) {
        let message = "多个期别的汇总只提供 JSON；CSV、XLSX 请逐期下载";
        return Err(Problem::bad_request("invalid_format", message)
            .with_detail(Some("format"), "invalid_format", message)
            .into());
    }
    let ask = SeriesAsk {
        indicators: query.indicators,
        within: query.within,
        level: query.level.map(RegionLevel::from),
        periods: query.period,
        periods_field: Some("period"),
        include: query.include,
    };
    let Series { within, level, periods, withheld, as_of } = trends::series(state, caller, ask).await?;
    let indicators = periods.first().map(|p| export::indicators(&p.parts)).unwrap_or_default();
    let totals: Vec<_> = periods.iter().filter_map(|p| p.total.as_ref().map(|t| (p.period.to_string(), t))).collect();
    let total = export::series_by_region(totals).into_iter().next();
    let regions = export::series_by_region(periods.iter().map(|p| (p.period.to_string(), &p.parts)));
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "periods": periods.iter().map(|p| p.period.to_string()).collect::<Vec<_>>(),
        "within": within.map_or_else(|| "national".to_owned(), |w| w.to_string()),
        "level": level.as_str(),
        "indicators": indicators,
        "withheld": withheld,
        "as_of": as_of,
        "total": total,
        "regions": regions,
    })))
}

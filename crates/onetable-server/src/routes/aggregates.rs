//! `GET /api/v1/aggregates`: live rollups for dashboards (汇总看板).

use actix_web::{get, web, HttpResponse};
use onetable_analytics::{Datum, EntryState, Selection};
use onetable_core::{RegionLevel, Role};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::entries::parse_period;
use crate::error::{ApiError, ErrorBody};
use crate::export::{self, AggregateAnswer, Binary, Format};
use crate::routes::regions::{parse_code, Level};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AggregateQuery {
    /// Comma-separated indicator codes, e.g. `POP.REGISTERED,DER.AGEING_RATE`.
    pub indicators: String,
    /// The region whose parts are listed (default: the caller's scope).
    pub within: Option<String>,
    /// The level of the rows (default: one level below `within`).
    pub level: Option<Level>,
    pub period: String,
    /// `submitted`: count submitted entries too (admins and reviewers).
    pub include: Option<String>,
    /// `json` (default) or `csv`, `xlsx`.
    pub format: Option<String>,
}

/// The smallest count of a sensitive indicator a viewer sees; 1–4 show as `"<5"`.
pub const SMALL_COUNT: f64 = 5.0;

/// One row per region at `level` inside `within`: each indicator rolled up by its rule (sum, avg,
/// min, max, count_true), derived indicators as ratio of sums, and completeness (villages
/// expected, submitted, approved). Values come from approved entries.
///
/// Viewers (看板用户): sensitive indicators are withheld below county level (listed in `withheld`),
/// and a sensitive count between 1 and 4 shows as `"<5"` at every level.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(AggregateQuery),
    responses(
        (status = 200, description = "Rows with completeness and values by indicator code", content(
            (AggregateAnswer = "application/json"),
            (String = "text/csv"),
            (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/api/v1/aggregates")]
pub async fn aggregates(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AggregateQuery>,
) -> Result<HttpResponse, ApiError> {
    let action = "aggregates.read";
    state.authorize(&caller, action, None, caller.require_role(&[Role::Viewer, Role::Admin, Role::Reviewer])).await?;
    let period = parse_period(query.period.trim())?;
    let within = match query.within.as_deref() {
        Some(text) => parse_code(text.trim(), "within")?,
        None => caller.scope.ok_or_else(|| ApiError::bad_request("invalid_query", "请指定 within"))?,
    };
    state.authorize(&caller, action, Some(within.to_string()), caller.require_read(within)).await?;
    let level = match query.level {
        Some(level) => RegionLevel::from(level),
        None => RegionLevel::ALL.get(within.level().index() + 1).copied().unwrap_or(RegionLevel::Village),
    };
    if level < within.level() {
        return Err(ApiError::bad_request("invalid_level", format!("level 不能高于 within（{within}）的层级")));
    }
    let min_state = match query.include.as_deref() {
        None => EntryState::Approved,
        Some("submitted") if caller.role != Role::Viewer => EntryState::Submitted,
        Some("submitted") => return Err(ApiError::forbidden("forbidden", "看板用户只能看已审核的数据")),
        Some(other) => {
            return Err(ApiError::bad_request("invalid_query", format!("include 只能是 submitted，而不是 {other}")))
        }
    };
    let format = Format::parse(query.format.as_deref())?;
    if format == Format::Parquet {
        return Err(ApiError::bad_request("invalid_format", "汇总只提供 json、csv、xlsx；Parquet 请通过数据需求调取"));
    }
    let codes = export::code_list(&query.indicators);
    if codes.is_empty() {
        return Err(ApiError::bad_request("invalid_query", "请指定 indicators"));
    }
    let viewer = caller.role == Role::Viewer;
    let analytics = state.analytics.clone();
    let (report, withheld) = state
        .run(move |conn| {
            analytics.read(conn, period, |cube| {
                let mut error = ApiError::bad_request("unknown_indicator", format!("这些指标不在 {period} 期的报表中"));
                for code in &codes {
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
                // Viewers do not see sensitive indicators below county level.
                let hide = |code: &String| {
                    viewer && level > RegionLevel::County && cube.measure(code).is_some_and(|m| m.sensitive)
                };
                let withheld: Vec<String> = codes.iter().filter(|c| hide(c)).cloned().collect();
                let shown: Vec<String> = codes.iter().filter(|c| !hide(c)).cloned().collect();
                let selection = Selection { within: Some(within), indicators: shown, min_state };
                let mut report = cube.rollup(&selection, level).map_err(crate::analytics::internal)?;
                if viewer {
                    suppress_small_counts(&mut report);
                }
                Ok((report, withheld))
            })
        })
        .await?;
    let stem = format!("aggregates-{period}-{within}-{}", level.as_str());
    let listed = export::indicators(&report);
    export::respond(report, format, export::parse_headers(None)?, &stem, move |rows| {
        serde_json::json!({
            "period": period.to_string(),
            "within": within.to_string(),
            "level": level.as_str(),
            "indicators": listed,
            "withheld": withheld,
            "rows": rows,
        })
    })
    .await
}

/// Replaces sensitive counts between 1 and 4 by [`Datum::Suppressed`].
fn suppress_small_counts(report: &mut onetable_analytics::Report) {
    let small: Vec<bool> = report.measures.iter().map(|m| m.sensitive && m.is_count()).collect();
    for row in &mut report.rows {
        for (datum, small) in row.values.iter_mut().zip(&small) {
            if let (true, Datum::Number(n)) = (small, &datum) {
                if *n > 0.0 && *n < SMALL_COUNT {
                    *datum = Datum::Suppressed;
                }
            }
        }
    }
}

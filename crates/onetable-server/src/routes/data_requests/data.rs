//! `GET /api/v1/data-requests/{id}/data`: a pull of granted data, village rows or rolled up.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use onetable_app::sharing::pull::{self as granting, Granted, PullAsk, Pulled};
use onetable_core::RegionLevel;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::{self, Binary, PullAnswer};
use crate::routes::params::Level;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// A period the request grants, e.g. `2025`.
    pub period: String,
    /// `village` (default: one row per village) or a higher level (rolled up).
    pub level: Option<Level>,
    /// `json` (default), `csv`, `xlsx` or `parquet`.
    pub format: Option<String>,
    /// `name` (default: Chinese headers) or `code`, for CSV and XLSX.
    pub headers: Option<String>,
    /// `submitted`: count submitted entries too (admins only).
    pub include: Option<String>,
    /// Only villages whose entry changed after this time (RFC 3339), for incremental pulls.
    pub changed_since: Option<DateTime<Utc>>,
    /// A narrower region inside the request's.
    pub within: Option<String>,
    /// A comma-separated subset of the request's indicators.
    pub indicators: Option<String>,
}

/// Pulls the data a request grants: only its indicators and regions, only while it is approved
/// and unexpired, only approved entries' values (admins may add `include=submitted`). Every pull
/// is written to the access log that villages see.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path), PullQuery),
    responses(
        (status = 200, description = "JSON rows, or a CSV/XLSX/Parquet file", content(
            (PullAnswer = "application/json"),
            (String = "text/csv"),
            (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Binary = "application/vnd.apache.parquet"),
        )),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)
    )
)]
#[get("/api/v1/data-requests/{id}/data")]
pub async fn pull(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<PullQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let query = query.into_inner();
    let ask = PullAsk {
        period: query.period,
        level: query.level.map(RegionLevel::from),
        within: query.within,
        indicators: query.indicators,
        include: query.include,
        changed_since: query.changed_since,
        format: query.format,
        headers: query.headers,
    };
    let Pulled { granted, format, headers, report, .. } = granting::pull(&state, &caller, id, ask).await?;
    let Granted { period, within, level, .. } = granted;
    let stem = format!("request-{id}-{period}-{within}-{}", level.as_str());
    let listed = export::indicators(&report);
    export::respond(report, format, headers, &stem, move |rows| {
        serde_json::json!({
            "request_id": id,
            "period": period.to_string(),
            "region": within.to_string(),
            "level": level.as_str(),
            "indicators": listed,
            "rows": rows,
        })
    })
    .await
}

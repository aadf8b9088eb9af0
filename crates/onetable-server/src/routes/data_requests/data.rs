//! `GET /api/v1/data-requests/{id}/data`: a pull of granted data, village rows or rolled up.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use onetable_analytics::{EntryState, Selection};
use onetable_core::{Period, RegionCode, RegionLevel, Role};
use onetable_store::sharing::{self as store, NewAccess};
use serde::Deserialize;
use utoipa::IntoParams;

use super::visible;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::{self, Binary, Format, PullAnswer};
use crate::routes::regions::Level;
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

fn denied(code: &'static str, message: String) -> ApiError {
    ApiError::forbidden(code, message)
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
    let action = "data_request.pull";
    state
        .authorize(&caller, action, Some(id.to_string()), caller.require_role(&[Role::Department, Role::Admin]))
        .await?;
    let request = visible(&state, &caller, id).await?;
    let decision = grant(&caller, &request, &query);
    let granted = match decision {
        Ok(granted) => granted,
        Err(e) => {
            let mut event = caller.event(action, Some(id.to_string()), "denied");
            event.detail = Some(e.code().to_owned());
            state.audit(event).await?;
            return Err(e);
        }
    };
    let format = Format::parse(query.format.as_deref())?;
    let headers = export::parse_headers(query.headers.as_deref())?;
    let Granted { period, within, level, indicators, min_state } = granted;
    let since = query.changed_since.map(|t| t.timestamp_millis());
    let analytics = state.analytics.clone();
    let report = state
        .run(move |conn| {
            analytics.read(conn, period, |cube| {
                let wanted: Vec<String> = indicators.into_iter().filter(|c| cube.measure(c).is_some()).collect();
                if wanted.is_empty() {
                    return Err(ApiError::bad_request(
                        "no_indicators_for_period",
                        format!("本申请的指标中没有 {period} 这一期别频率的指标"),
                    ));
                }
                let selection = Selection { within: Some(within), indicators: wanted, min_state };
                let report = if level == RegionLevel::Village {
                    cube.village_rows(&selection, since)
                } else {
                    cube.rollup(&selection, level)
                };
                report.map_err(crate::analytics::internal)
            })
        })
        .await?;
    let access = NewAccess {
        occurred_at: Utc::now().naive_utc(),
        request_id: id,
        department: request.department.clone(),
        caller: caller.subject.clone(),
        region_code: within.to_string(),
        level: level.as_str().to_owned(),
        period: period.to_string(),
        indicators: report.measures.iter().map(|m| m.code.as_str()).collect::<Vec<_>>().join(","),
        row_count: i64::try_from(report.rows.len()).unwrap_or(i64::MAX),
        format: format.as_str().to_owned(),
    };
    state.write(move |conn| Ok(store::log_access(conn, &access)?)).await?;
    let mut event = caller.event(action, Some(id.to_string()), "success");
    event.detail = Some(format!("{period} {within} {} rows={}", level.as_str(), report.rows.len()));
    state.audit(event).await?;
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

struct Granted {
    period: Period,
    within: RegionCode,
    level: RegionLevel,
    indicators: Vec<String>,
    min_state: EntryState,
}

/// What this pull may read, or the 403 (400 for malformed parameters) that says why not. The
/// error bodies name the rule broken, never any data.
fn grant(caller: &Caller, request: &crate::sharing::DataRequest, query: &PullQuery) -> Result<Granted, ApiError> {
    if !request.active {
        let why = match request.status.as_str() {
            "pending" => "尚未批准",
            "rejected" => "已被驳回",
            "revoked" => "已被撤销",
            _ => "已过期",
        };
        return Err(denied("request_not_active", format!("数据需求 {} {why}，不能调取数据", request.id)));
    }
    let period = Period::parse(query.period.trim()).map_err(|e| ApiError::bad_request("invalid_period", e))?;
    if !request.covers_period(period) {
        return Err(denied("period_not_granted", format!("数据需求 {} 未获准调取 {period} 期数据", request.id)));
    }
    let region = RegionCode::parse(&request.region).map_err(ApiError::internal)?;
    let within = match query.within.as_deref() {
        Some(text) => {
            RegionCode::parse(text.trim()).map_err(|e| ApiError::bad_request("invalid_region_code", e.to_string()))?
        }
        None => region,
    };
    if !region.contains(within) {
        return Err(denied("out_of_scope", format!("区划 {within} 不在数据需求 {} 的范围内", request.id)));
    }
    let indicators = match query.indicators.as_deref() {
        Some(list) => {
            let asked = export::code_list(list);
            if let Some(extra) = asked.iter().find(|c| !request.indicators.contains(c)) {
                return Err(denied("indicator_not_granted", format!("数据需求 {} 未申请指标 {extra}", request.id)));
            }
            asked
        }
        None => request.indicators.clone(),
    };
    let min_state = match query.include.as_deref() {
        None => EntryState::Approved,
        Some("submitted") if caller.role == Role::Admin => EntryState::Submitted,
        Some("submitted") => return Err(denied("forbidden", "只有管理员可以调取未审核的数据".to_owned())),
        Some(other) => {
            return Err(ApiError::bad_request("invalid_query", format!("include 只能是 submitted，而不是 {other}")))
        }
    };
    let level = query.level.map_or(RegionLevel::Village, RegionLevel::from);
    if level < within.level() {
        return Err(ApiError::bad_request("invalid_level", format!("汇总层级不能高于所调取区划 {within} 的层级")));
    }
    if query.changed_since.is_some() && level != RegionLevel::Village {
        return Err(ApiError::bad_request("invalid_query", "changed_since 只用于村级明细（level=village）"));
    }
    Ok(Granted { period, within, level, indicators, min_state })
}

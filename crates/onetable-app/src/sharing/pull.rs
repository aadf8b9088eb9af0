//! Pulls (调取): what a department's approved request lets it read, and nothing else. The grant
//! is decided here — the request active and unexpired, the period, region and indicators among
//! those granted, approved entries only (admins may add submitted ones) — and every pull is
//! written to the access log villages see (数据回流) and to the audit trail.

use chrono::{DateTime, Utc};
use onetable_analytics::{EntryState, Headers, Report, Selection};
use onetable_core::{Period, RegionCode, RegionLevel, Role};
use onetable_store::sharing::{self as store, NewAccess};

use super::{can_see, DataRequest};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::reports::{code_list, parse_headers, Format};
use crate::App;

/// What a pull asks for, as the caller wrote it.
#[derive(Debug, Clone, Default)]
pub struct PullAsk {
    pub period: String,
    pub level: Option<RegionLevel>,
    pub within: Option<String>,
    /// A comma-separated subset of the request's indicators.
    pub indicators: Option<String>,
    /// `submitted`: admins only.
    pub include: Option<String>,
    /// Village rows only: villages whose entry changed after this.
    pub changed_since: Option<DateTime<Utc>>,
    pub format: Option<String>,
    /// `code` for indicator codes as column headers (default: Chinese names).
    pub headers: Option<String>,
}

/// What a granted pull reads.
#[derive(Debug, Clone)]
pub struct Granted {
    pub period: Period,
    pub within: RegionCode,
    pub level: RegionLevel,
    pub indicators: Vec<String>,
    pub min_state: EntryState,
}

/// A pull's answer: the request it came under, what was granted, and the rows.
#[derive(Debug)]
pub struct Pulled {
    pub request: DataRequest,
    pub granted: Granted,
    pub format: Format,
    pub headers: Headers,
    pub report: Report,
}

fn denied(code: &'static str, message: String) -> Problem {
    Problem::forbidden(code, message)
}

/// The request, if the actor may see it (404 otherwise: others' requests do not exist for them).
///
/// # Errors
/// 404, or a database fault.
pub async fn visible(app: &App, actor: &Actor, id: i64) -> AppResult<DataRequest> {
    let row = app.run(move |conn| Ok(store::find(conn, id)?)).await?.ok_or_else(|| not_found(id))?;
    let request = DataRequest::from_row(row, Utc::now().naive_utc());
    if can_see(actor, &request) {
        Ok(request)
    } else {
        Err(not_found(id))
    }
}

/// The 404 of a request that does not exist for the actor.
#[must_use]
pub fn not_found(id: i64) -> Problem {
    Problem::not_found("data_request_not_found", format!("数据需求 {id} 不存在"))
}

/// What this pull may read, or the 403 (400 for malformed parameters) that says why not. The
/// refusals name the rule broken, never any data.
///
/// # Errors
/// As above.
pub fn grant(actor: &Actor, request: &DataRequest, ask: &PullAsk) -> AppResult<Granted> {
    if !request.active {
        let why = match request.status.as_str() {
            "pending" => "尚未批准",
            "rejected" => "已被驳回",
            "revoked" => "已被撤销",
            _ => "已过期",
        };
        return Err(denied("request_not_active", format!("数据需求 {} {why}，不能调取数据", request.id)));
    }
    let period = Period::parse(ask.period.trim()).map_err(|e| Problem::bad_request("invalid_period", e))?;
    if !request.covers_period(period) {
        return Err(denied("period_not_granted", format!("数据需求 {} 未获准调取 {period} 期数据", request.id)));
    }
    let region = RegionCode::parse(&request.region).map_err(Problem::internal)?;
    let within = match ask.within.as_deref() {
        Some(text) => {
            RegionCode::parse(text.trim()).map_err(|e| Problem::bad_request("invalid_region_code", e.to_string()))?
        }
        None => region,
    };
    if !region.contains(within) {
        return Err(denied("out_of_scope", format!("区划 {within} 不在数据需求 {} 的范围内", request.id)));
    }
    let indicators = match ask.indicators.as_deref() {
        Some(list) => {
            let asked = code_list(list);
            if let Some(extra) = asked.iter().find(|c| !request.indicators.contains(c)) {
                return Err(denied("indicator_not_granted", format!("数据需求 {} 未申请指标 {extra}", request.id)));
            }
            asked
        }
        None => request.indicators.clone(),
    };
    let min_state = match ask.include.as_deref() {
        None => EntryState::Approved,
        Some("submitted") if actor.role == Role::Admin => EntryState::Submitted,
        Some("submitted") => return Err(denied("forbidden", "只有管理员可以调取未审核的数据".to_owned())),
        Some(other) => {
            return Err(Problem::bad_request("invalid_query", format!("include 只能是 submitted，而不是 {other}")))
        }
    };
    let level = ask.level.unwrap_or(RegionLevel::Village);
    if level < within.level() {
        return Err(Problem::bad_request("invalid_level", format!("汇总层级不能高于所调取区划 {within} 的层级")));
    }
    if ask.changed_since.is_some() && level != RegionLevel::Village {
        return Err(Problem::bad_request("invalid_query", "changed_since 只用于村级明细（level=village）"));
    }
    Ok(Granted { period, within, level, indicators, min_state })
}

/// A department (person or system) or an admin pulls what request `id` grants. Every pull is
/// logged for the villages it covers; every refusal is audited.
///
/// # Errors
/// 403 for other roles and outside the grant, 404 for a request the actor does not see, 400 for
/// malformed parameters.
pub async fn pull(app: &App, actor: &Actor, id: i64, ask: PullAsk) -> AppResult<Pulled> {
    let action = "data_request.pull";
    app.authorize(actor, action, Some(id.to_string()), actor.require_role(&[Role::Department, Role::Admin])).await?;
    let request = visible(app, actor, id).await?;
    let granted = match grant(actor, &request, &ask) {
        Ok(granted) => granted,
        Err(e) => {
            let mut event = actor.event(action, Some(id.to_string()), "denied");
            event.detail = Some(e.code().to_owned());
            app.audit(event).await?;
            return Err(e);
        }
    };
    let format = Format::parse(ask.format.as_deref())?;
    let headers = parse_headers(ask.headers.as_deref())?;
    let since = ask.changed_since.map(|t| t.timestamp_millis());
    let cubes = app.cubes.clone();
    let read = granted.clone();
    let report = app
        .run(move |conn| {
            cubes.read_with(conn, read.period, |cube, containing| {
                let wanted: Vec<String> = read.indicators.into_iter().filter(|c| cube.measure(c).is_some()).collect();
                if wanted.is_empty() {
                    return Err(Problem::bad_request(
                        "no_indicators_for_period",
                        format!("本申请的指标中没有 {} 这一期别频率的指标", read.period),
                    ));
                }
                let selection = Selection { within: Some(read.within), indicators: wanted, min_state: read.min_state };
                let report = if read.level == RegionLevel::Village {
                    cube.village_rows_with(&selection, since, containing)
                } else {
                    cube.rollup_with(&selection, read.level, containing)
                };
                report.map_err(crate::cubes::internal)
            })
        })
        .await?;
    let indicators = report.measures.iter().map(|m| m.code.as_str()).collect::<Vec<_>>().join(",");
    record(app, actor, &request, &granted, indicators, report.rows.len(), format.as_str()).await?;
    Ok(Pulled { request, granted, format, headers, report })
}

/// Writes what a granted read took to the villages' access log (数据回流) and the audit trail:
/// every way of reading under a request (a pull, a filled template, an extract) records it here.
///
/// # Errors
/// A database fault.
pub async fn record(
    app: &App,
    actor: &Actor,
    request: &DataRequest,
    granted: &Granted,
    indicators: String,
    rows: usize,
    format: &str,
) -> AppResult<()> {
    let Granted { period, within, level, .. } = granted.clone();
    let access = NewAccess {
        occurred_at: Utc::now().naive_utc(),
        request_id: request.id,
        department: request.department.clone(),
        caller: actor.subject.clone(),
        region_code: within.to_string(),
        level: level.as_str().to_owned(),
        period: period.to_string(),
        indicators,
        row_count: i64::try_from(rows).unwrap_or(i64::MAX),
        format: format.to_owned(),
    };
    app.write(move |conn| Ok::<_, Problem>(store::log_access(conn, &access)?)).await?;
    app.metrics.transfer("pull", rows, None);
    let mut event = actor.event("data_request.pull", Some(request.id.to_string()), "success");
    event.detail = Some(format!("{period} {within} {} rows={rows} {format}", level.as_str()));
    app.audit(event).await
}

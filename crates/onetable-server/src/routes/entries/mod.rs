//! Entries (填报表) over HTTP: `/api/v1/entries/{region}/{period}`.
//!
//! Every write takes `If-Match: <revision>` (a stale one is 412, a missing one 428) and either
//! changes everything it asked for or nothing.

pub mod edit;
pub mod get;
pub mod history;
pub mod workflow;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use onetable_core::indicator::ValueType;
use onetable_core::{Period, RegionCode, Role};
use onetable_store::entries as store;
use onetable_store::DbConn;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::entries::{self, rule_results, Form, RuleResult};
use crate::error::ApiError;
use crate::routes::regions::parse_code;
use crate::state::AppState;

/// One entered cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cell {
    pub code: String,
    /// Number, boolean or text, as the indicator's type says.
    #[schema(value_type = CellValue)]
    pub value: serde_json::Value,
    /// `entry`, `import`, `carried_forward` or `api`.
    pub source: String,
    pub entered_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    pub entered_at: NaiveDateTime,
}

/// A cell's value as JSON carries it (for the spec: the answers hold `serde_json::Value`s of
/// exactly these kinds).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum CellValue {
    Number(f64),
    Boolean(bool),
    Text(String),
}

/// A value computed from a formula, or offered from the previous period.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeValue {
    pub code: String,
    /// Null when a formula has no value (a missing input, a division by zero).
    #[schema(value_type = Option<CellValue>)]
    pub value: serde_json::Value,
}

/// One village's form for one period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Entry {
    pub region_code: String,
    pub period: String,
    /// `draft`, `submitted`, `returned` or `approved`.
    pub status: String,
    /// Send it back as `If-Match` with the next write (also in the `ETag` header).
    pub revision: i64,
    pub values: Vec<Cell>,
    /// Derived indicators computed from the values.
    pub derived: Vec<CodeValue>,
    /// Last period's values, offered for "nothing changed" (POST .../carry-forward).
    pub carried_forward: Vec<CodeValue>,
    pub rule_results: Vec<RuleResult>,
    /// Required indicators still without a value.
    pub missing_required: Vec<String>,
}

/// What a PATCH answers: the new revision and, at once, what the rules say about the values now.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatchResult {
    pub region_code: String,
    pub period: String,
    pub status: String,
    /// The next `If-Match` (also the `ETag`).
    pub revision: i64,
    pub derived: Vec<CodeValue>,
    pub rule_results: Vec<RuleResult>,
    pub missing_required: Vec<String>,
}

impl PatchResult {
    /// Computed from the values the write left, without reading them back.
    #[must_use]
    pub fn new(form: &Form, entry: &onetable_store::entries::EntryRow, cells: &BTreeMap<String, String>) -> Self {
        let values = entries::formula_values(form, cells);
        Self {
            region_code: entry.region_code.clone(),
            period: entry.period.clone(),
            status: entry.status.clone(),
            revision: entry.revision,
            derived: form
                .derived
                .iter()
                .filter_map(|(d, _)| {
                    values.get(&d.code).map(|v| CodeValue { code: d.code.clone(), value: formula_json(*v) })
                })
                .collect(),
            rule_results: rule_results(form, &values),
            missing_required: form
                .entered
                .values()
                .filter(|d| d.constraints.required && !cells.contains_key(&d.code))
                .map(|d| d.code.clone())
                .collect(),
        }
    }

    #[must_use]
    pub fn respond(&self) -> HttpResponse {
        HttpResponse::Ok().insert_header(("etag", format!("\"{}\"", self.revision))).json(self)
    }
}

/// Roles that read entries: the village's clerk, reviewers and admins over it.
pub const READERS: [Role; 3] = [Role::Clerk, Role::Reviewer, Role::Admin];

/// The region and period of the path, parsed and checked.
///
/// # Errors
/// 400 for a bad code or period.
pub fn parse_path(region: &str, period: &str) -> Result<(RegionCode, Period), ApiError> {
    Ok((parse_code(region, "region")?, entries::parse_period(period)?))
}

/// The revision in `If-Match` (`3`, `"3"` or `W/"3"`).
///
/// # Errors
/// 428 when absent, 400 when unreadable.
pub fn if_match(req: &HttpRequest) -> Result<i64, ApiError> {
    let Some(header) = req.headers().get("if-match") else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "修改填报表须带 If-Match 请求头（值为读取时的 revision），以免覆盖他人的修改",
        ));
    };
    let text = header.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse().map_err(|_| {
        ApiError::bad_request("invalid_if_match", "If-Match 应为版本号，如 \"3\"").with_detail(
            Some("If-Match"),
            "invalid_value",
            text.to_owned(),
        )
    })
}

/// The entry a write names, authorised, with the revision its `If-Match` claims.
pub struct WriteTarget {
    pub region: RegionCode,
    pub period: Period,
    pub revision: i64,
}

/// Parses the path, checks role and scope (403 outside it, audited), reads `If-Match`.
///
/// # Errors
/// 400, 403, 428 as the steps say.
pub async fn write_target(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    path: &(String, String),
    action: &str,
    roles: &[Role],
) -> Result<WriteTarget, ApiError> {
    let (region, period) = parse_path(&path.0, &path.1)?;
    authorize(state, caller, action, region, roles, true).await?;
    Ok(WriteTarget { region, period, revision: if_match(req)? })
}

/// Runs `work` on the village's form of `period` (the village checked, the form from the cache),
/// with a write turn when `write`.
///
/// # Errors
/// 404/400 for a region that is not a village, 400 for a period without a form, or `work`'s.
pub async fn with_form<T, F>(
    state: &AppState,
    region: RegionCode,
    period: Period,
    write: bool,
    work: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn, &std::sync::Arc<Form>) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let forms = state.forms.clone();
    let job = move |conn: &mut DbConn| {
        entries::require_village(conn, region)?;
        let form = forms.get(conn, period)?;
        work(conn, &form)
    };
    if write {
        state.write(job).await
    } else {
        state.run(job).await
    }
}

/// The caller may act on this village: `roles`, and the village inside its scope (reads outside
/// are 404, writes 403).
///
/// # Errors
/// 403 or 404, audited.
pub async fn authorize(
    state: &AppState,
    caller: &Caller,
    action: &str,
    region: RegionCode,
    roles: &[Role],
    write: bool,
) -> Result<(), ApiError> {
    let target = Some(region.to_string());
    state.authorize(caller, action, target.clone(), caller.require_role(roles)).await?;
    let scope = if write { caller.require_write(region) } else { caller.require_read(region) };
    state.authorize(caller, action, target, scope).await
}

pub fn json_value(value_type: &ValueType, stored: &str) -> serde_json::Value {
    match value_type {
        ValueType::Integer => stored.parse::<i64>().map_or_else(|_| stored.into(), Into::into),
        ValueType::Decimal { .. } => stored
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| stored.into(), serde_json::Value::Number),
        ValueType::Boolean => serde_json::Value::Bool(stored == "true"),
        _ => stored.into(),
    }
}

fn formula_json(value: onetable_core::formula::Value) -> serde_json::Value {
    match value {
        onetable_core::formula::Value::Number(n) => serde_json::Number::from_f64((n * 1e6).round() / 1e6)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        onetable_core::formula::Value::Bool(b) => b.into(),
    }
}

/// Builds the full view of an entry.
///
/// # Errors
/// On a database fault.
pub fn view(conn: &mut DbConn, form: &Form, region: RegionCode, period: Period) -> Result<Entry, ApiError> {
    let (region, period_text) = (region.to_string(), period.to_string());
    let entry = store::find(conn, &region, &period_text)?;
    let rows = store::values(conn, &region, &period_text)?;
    let previous = store::values(conn, &region, &period.previous().to_string())?;
    let cells: BTreeMap<String, String> = rows.iter().map(|r| (r.indicator_code.clone(), r.value.clone())).collect();
    let values = entries::formula_values(form, &cells);
    let type_of = |code: &str| form.entered.get(code).map(|d| &d.value_type);
    Ok(Entry {
        status: entry.as_ref().map_or(entries::DRAFT, |e| e.status.as_str()).to_owned(),
        revision: entry.as_ref().map_or(0, |e| e.revision),
        values: rows
            .iter()
            .map(|r| Cell {
                code: r.indicator_code.clone(),
                value: type_of(&r.indicator_code).map_or_else(|| r.value.clone().into(), |t| json_value(t, &r.value)),
                source: r.source.clone(),
                entered_by: r.entered_by.clone(),
                entered_at: r.entered_at,
            })
            .collect(),
        derived: form
            .derived
            .iter()
            .filter_map(|(d, _)| {
                values.get(&d.code).map(|v| CodeValue { code: d.code.clone(), value: formula_json(*v) })
            })
            .collect(),
        carried_forward: previous
            .iter()
            .filter_map(|r| {
                type_of(&r.indicator_code)
                    .map(|t| CodeValue { code: r.indicator_code.clone(), value: json_value(t, &r.value) })
            })
            .collect(),
        rule_results: rule_results(form, &values),
        missing_required: form
            .entered
            .values()
            .filter(|d| d.constraints.required && !cells.contains_key(&d.code))
            .map(|d| d.code.clone())
            .collect(),
        region_code: region,
        period: period_text,
    })
}

/// An entry as the response body, with its revision as the `ETag`.
#[must_use]
pub fn respond(entry: &Entry) -> HttpResponse {
    HttpResponse::Ok().insert_header(("etag", format!("\"{}\"", entry.revision))).json(entry)
}

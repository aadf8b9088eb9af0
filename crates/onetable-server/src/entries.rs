//! The data-entry service (一次录入): one village's form for one period, edited with optimistic
//! concurrency, validated cell by cell and rule by rule, and moved through review.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use chrono::{Datelike, NaiveDateTime, Utc};
use onetable_core::formula::{self, evaluate, evaluate_rule, Expr, RuleOutcome, Value};
use onetable_core::indicator::{IndicatorDef, IndicatorStatus};
use onetable_core::value::{check_cell, formula_value, RawCell};
use onetable_core::{Period, RegionCode, RegionLevel};
use onetable_store::entries::{self, CellEdit, EditStamp, EntryRow, NewEntryEvent};
use onetable_store::registry::{self, RuleRow};
use onetable_store::DbConn;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// Workflow states.
pub const DRAFT: &str = "draft";
pub const SUBMITTED: &str = "submitted";
pub const RETURNED: &str = "returned";
pub const APPROVED: &str = "approved";

/// The indicators and rules of one period's form, parsed once per request.
pub struct Form {
    pub period: Period,
    /// Active, entered (not derived) indicators.
    pub entered: BTreeMap<String, IndicatorDef>,
    /// Active derived indicators with their parsed formulas.
    pub derived: Vec<(IndicatorDef, Expr)>,
    pub rules: Vec<(RuleRow, Expr)>,
}

/// Parsed forms by period, reused while the registry's fingerprint is unchanged: parsing the whole
/// registry on every request was most of a PATCH's cost. The fingerprint is read at most every
/// [`FORM_CHECK_TTL`]; this server's registry writes call [`FormCache::invalidate`], so they show at
/// once, and a change by another process (`onetable catalogue load`) within that time.
#[derive(Default)]
pub struct FormCache {
    forms: std::sync::Mutex<std::collections::HashMap<Period, (String, std::sync::Arc<Form>)>>,
    /// When each period's fingerprint was last compared.
    checked: std::sync::Mutex<std::collections::HashMap<Period, std::time::Instant>>,
}

/// How long a form is used without looking at the registry's fingerprint.
pub const FORM_CHECK_TTL: std::time::Duration = std::time::Duration::from_secs(1);

impl std::fmt::Debug for FormCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormCache").finish_non_exhaustive()
    }
}

impl FormCache {
    /// After a registry write: every form is checked against the registry again.
    pub fn invalidate(&self) {
        if let Ok(mut checked) = self.checked.lock() {
            checked.clear();
        }
    }

    /// The form of `period`, parsed at most once per registry state.
    ///
    /// # Errors
    /// As [`load_form`].
    pub fn get(&self, conn: &mut DbConn, period: Period) -> Result<std::sync::Arc<Form>, ApiError> {
        let recent = self
            .checked
            .lock()
            .ok()
            .and_then(|c| c.get(&period).copied())
            .is_some_and(|at| at.elapsed() < FORM_CHECK_TTL);
        if recent {
            if let Some((_, form)) = self.forms.lock().ok().and_then(|f| f.get(&period).cloned()) {
                return Ok(form);
            }
        }
        let fingerprint = registry::fingerprint(conn)?;
        if let Ok(mut checked) = self.checked.lock() {
            checked.insert(period, std::time::Instant::now());
        }
        if let Some((seen, form)) = self.forms.lock().ok().and_then(|f| f.get(&period).cloned()) {
            if seen == fingerprint {
                return Ok(form);
            }
        }
        let form = std::sync::Arc::new(load_form(conn, period)?);
        if let Ok(mut forms) = self.forms.lock() {
            forms.insert(period, (fingerprint, form.clone()));
        }
        Ok(form)
    }
}

/// Parses a period and refuses those of no form, or more than one period in the future.
///
/// # Errors
/// 400 `invalid_period`.
pub fn parse_period(text: &str) -> Result<Period, ApiError> {
    let bad = |message: String| {
        ApiError::bad_request("invalid_period", message.clone()).with_detail(Some("period"), "invalid_period", message)
    };
    let period = Period::parse(text).map_err(bad)?;
    let today = Utc::now().date_naive();
    let month = u8::try_from(today.month()).unwrap_or(1);
    let latest = Period::containing(period.frequency(), today.year(), month).next();
    if period > latest {
        return Err(bad(format!("期别 {period} 太远：最多只能填报到 {latest}")));
    }
    Ok(period)
}

/// Loads the form of `period`.
///
/// # Errors
/// 400 when no active indicator has the period's frequency; 500 on a database fault.
pub fn load_form(conn: &mut DbConn, period: Period) -> Result<Form, ApiError> {
    let mut entered = BTreeMap::new();
    let mut derived = Vec::new();
    for row in registry::current(conn)?.into_values() {
        if row.status != IndicatorStatus::Active.as_ref() || row.frequency != period.frequency().as_ref() {
            continue;
        }
        let def = row.to_def().map_err(ApiError::internal)?;
        match def.formula.as_deref().map(formula::parse) {
            Some(Ok(expr)) => derived.push((def, expr)),
            Some(Err(e)) => return Err(ApiError::internal(format!("stored formula of {}: {e}", def.code))),
            None => {
                entered.insert(def.code.clone(), def);
            }
        }
    }
    if entered.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_period",
            format!("期别 {period} 没有需要填报的指标（没有 {} 频率的在用指标）", period.frequency()),
        ));
    }
    let rules = registry::rules(conn)?
        .into_iter()
        .filter(|r| r.active)
        .filter_map(|r| formula::parse(&r.expression).ok().map(|e| (r, e)))
        .filter(|(_, e)| e.codes().iter().all(|c| entered.contains_key(c) || derived.iter().any(|(d, _)| d.code == *c)))
        .collect();
    Ok(Form { period, entered, derived, rules })
}

/// Checks that `region` is a current village.
///
/// # Errors
/// 404 when it is not a stored region, 400 when it is not a village.
pub fn require_village(conn: &mut DbConn, region: RegionCode) -> Result<(), ApiError> {
    if onetable_store::regions::find(conn, region)?.is_none() {
        return Err(crate::routes::regions::region_not_found(region));
    }
    if region.level() != RegionLevel::Village {
        return Err(ApiError::bad_request("not_a_village", format!("{region} 不是村级区划：只有村（社区）有填报表")));
    }
    Ok(())
}

/// The result of one rule on the current values.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleResult {
    pub code: String,
    /// `error` or `warning`
    pub severity: String,
    /// `pass`, `fail`, or `skipped` (an input is missing)
    pub outcome: String,
    pub message: String,
}

/// The values as the formula language sees them, derived ones computed.
#[must_use]
pub fn formula_values(form: &Form, cells: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    let mut values: BTreeMap<String, Value> = cells
        .iter()
        .filter_map(|(code, text)| {
            let def = form.entered.get(code)?;
            formula_value(&def.value_type, text).map(|v| (code.clone(), v))
        })
        .collect();
    for (def, expr) in &form.derived {
        let lookup = |code: &str| values.get(code).copied();
        if let Some(value) = evaluate(expr, &lookup, 0.0) {
            values.insert(def.code.clone(), value);
        }
    }
    values
}

#[must_use]
pub fn rule_results(form: &Form, values: &BTreeMap<String, Value>) -> Vec<RuleResult> {
    form.rules
        .iter()
        .map(|(rule, expr)| {
            let lookup = |code: &str| values.get(code).copied();
            let outcome = match evaluate_rule(expr, &lookup, rule.tolerance, rule.missing_as_zero) {
                RuleOutcome::Pass => "pass",
                RuleOutcome::Fail => "fail",
                RuleOutcome::Skipped => "skipped",
            };
            RuleResult {
                code: rule.code.clone(),
                severity: rule.severity.clone(),
                outcome: outcome.to_owned(),
                message: rule.message.clone(),
            }
        })
        .collect()
}

/// Checks every submitted cell; all problems in one 422, nothing saved.
///
/// # Errors
/// 422 `validation_failed` with one detail per cell.
pub fn check_cells(form: &Form, cells: &[(String, RawCell)]) -> Result<Vec<(String, Option<String>)>, ApiError> {
    let mut error = ApiError::unprocessable("validation_failed", "有填报值不符合要求，全部未保存，请按提示修改");
    let mut out = Vec::with_capacity(cells.len());
    for (code, raw) in cells {
        let checked = match form.entered.get(code) {
            Some(def) => check_cell(def, raw),
            None if form.derived.iter().any(|(d, _)| d.code == *code) => {
                Err(format!("{code} 是派生指标，由公式计算，不能填报"))
            }
            None => Err(format!("{code} 不是 {} 期表中的指标", form.period)),
        };
        match checked {
            Ok(value) => out.push((code.clone(), value)),
            Err(message) => error = error.with_detail(Some(code), "invalid_value", message),
        }
    }
    if error.has_details() {
        Err(error)
    } else {
        Ok(out)
    }
}

/// 412: somebody changed the entry since the caller read it.
#[must_use]
pub fn stale(current: i64) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "stale_revision",
        format!("该表已被他人修改（当前版本 {current}），请刷新后重新填写；本次修改未保存"),
    )
    .with_header("etag", format!("\"{current}\""))
}

/// Who is changing an entry, and how.
pub struct Change<'a> {
    pub actor: &'a str,
    pub source: &'a str,
    pub reason: Option<String>,
    pub now: NaiveDateTime,
}

/// Takes the entry from revision `if_match` to the next one — from here until the transaction ends,
/// no other writer can move it — and returns the entry as it now is. `if_match` 0 means the entry
/// does not exist yet: it is created as a draft.
fn claim(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    if_match: i64,
    change: &Change<'_>,
) -> Result<EntryRow, ApiError> {
    let claimed = if if_match > 0 {
        entries::bump_existing(conn, region, period, if_match, change.actor, change.now)?
    } else {
        entries::create_draft(conn, region, period, change.actor, change.now)?
    };
    match claimed {
        Some(entry) => Ok(entry),
        None => Err(stale(entries::find(conn, region, period)?.map_or(0, |e| e.revision))),
    }
}

/// Writes `cells` (already checked) if the entry is still at `if_match` and editable. Returns the
/// new entry row and the values after the change. Unchanged cells are not rewritten. Runs in the
/// caller's transaction, which [`crate::state::AppState::write`] provides: an error leaves the
/// caller to roll back.
///
/// # Errors
/// 412 stale revision, 409 locked (submitted or approved), 500 on a fault; nothing is saved then.
pub fn write_cells(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    if_match: i64,
    cells: &[(String, Option<String>)],
    change: &Change<'_>,
) -> Result<(EntryRow, BTreeMap<String, String>), ApiError> {
    // The values are read before the revision is claimed: the claim succeeds only if nobody wrote
    // since `if_match`, so they are the values of that revision.
    let mut values: BTreeMap<String, String> = entries::cell_values(conn, region, period)?.into_iter().collect();
    let mut changes = Vec::with_capacity(cells.len());
    for (code, value) in cells {
        let old = match value {
            Some(v) => values.insert(code.clone(), v.clone()),
            None => values.remove(code),
        };
        if old != *value {
            changes.push((code.clone(), old, value.clone()));
        }
    }
    if changes.is_empty() && if_match > 0 {
        // Nothing changes: the revision stays, but the precondition and the lock still hold.
        let current = entries::find(conn, region, period)?;
        return match current {
            Some(entry) if entry.revision != if_match => Err(stale(entry.revision)),
            Some(entry) if entry.status != DRAFT && entry.status != RETURNED => Err(locked(&entry.status)),
            Some(entry) => Ok((entry, values)),
            None => Err(stale(0)),
        };
    }
    let next = claim(conn, region, period, if_match, change)?;
    if next.status != DRAFT && next.status != RETURNED {
        return Err(locked(&next.status));
    }
    entries::apply_edit(
        conn,
        &CellEdit {
            stamp: EditStamp {
                region,
                period,
                source: change.source,
                actor: change.actor,
                reason: change.reason.as_deref(),
                revision: next.revision,
                at: change.now,
            },
            changes: &changes,
        },
    )?;
    Ok((next, values))
}

/// 409 for an entry that cannot be edited in its state.
#[must_use]
pub fn locked(status: &str) -> ApiError {
    let message = match status {
        SUBMITTED => "该表已提交，正在审核；如需修改，请审核员退回",
        APPROVED => "该表已审核通过并锁定；如需修改，请先申请重新打开（reopen）",
        _ => "该表当前状态不允许此操作",
    };
    ApiError::conflict("entry_locked", message).with_detail(Some("status"), "status", status.to_owned())
}

/// Moves an entry's status (submit, approve, return, reopen) if it is at `if_match` and in one of
/// `from`, recording the event. Runs in the caller's transaction, as [`write_cells`].
///
/// # Errors
/// 412 stale revision, 409 wrong state.
#[allow(clippy::too_many_arguments)]
pub fn transition(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    if_match: i64,
    from: &[&str],
    to: &str,
    action: &str,
    comment: Option<String>,
    change: &Change<'_>,
) -> Result<EntryRow, ApiError> {
    let mut next = claim(conn, region, period, if_match, change)?;
    if !from.contains(&next.status.as_str()) {
        return Err(locked(&next.status));
    }
    entries::set_status(conn, region, period, to)?;
    to.clone_into(&mut next.status);
    entries::record_event(
        conn,
        &NewEntryEvent {
            region_code: region.to_owned(),
            period: period.to_owned(),
            action: action.to_owned(),
            actor: change.actor.to_owned(),
            comment,
            revision: next.revision,
            occurred_at: change.now,
        },
    )?;
    Ok(next)
}

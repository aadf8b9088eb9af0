//! One period's form (一张表): the active indicators of its frequency and the rules over them,
//! parsed once per registry state; the values as the formula language sees them; cell checks.

use std::collections::BTreeMap;

use chrono::{Datelike, Utc};
use onetable_core::formula::{self, evaluate, evaluate_rule, Expr, RuleOutcome, Value};
use onetable_core::indicator::{IndicatorDef, IndicatorStatus, ValueType};
use onetable_core::value::{check_cell, formula_value, RawCell};
use onetable_core::{Period, RegionCode, RegionLevel};
use onetable_store::registry::{self, RuleRow};
use onetable_store::DbConn;
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::Problem;

/// The indicators and rules of one period's form, parsed once per request.
pub struct Form {
    pub period: Period,
    /// Active, entered (not derived) indicators.
    pub entered: BTreeMap<String, IndicatorDef>,
    /// Active derived indicators with their parsed formulas.
    pub derived: Vec<(IndicatorDef, Expr)>,
    pub rules: Vec<(RuleRow, Expr)>,
    /// Entered indicators of a coarser frequency that a derived one reads (劳动力人数 in
    /// 外出务工占劳动力比重 on a quarterly form): taken from the containing period's form, as the
    /// cubes take them.
    pub outer: BTreeMap<String, IndicatorDef>,
}

impl Form {
    /// The value type of an indicator this form reads, its own or an outer one.
    #[must_use]
    pub fn value_type(&self, code: &str) -> Option<&ValueType> {
        self.entered.get(code).or_else(|| self.outer.get(code)).map(|d| &d.value_type)
    }
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
    pub fn get(&self, conn: &mut DbConn, period: Period) -> Result<std::sync::Arc<Form>, Problem> {
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
pub fn parse_period(text: &str) -> Result<Period, Problem> {
    let bad = |message: String| {
        Problem::bad_request("invalid_period", message.clone()).with_detail(Some("period"), "invalid_period", message)
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
pub fn load_form(conn: &mut DbConn, period: Period) -> Result<Form, Problem> {
    let mut entered = BTreeMap::new();
    let mut derived = Vec::new();
    let current = registry::current(conn)?;
    for row in current.values().cloned() {
        if row.status != IndicatorStatus::Active.as_ref() || row.frequency != period.frequency().as_ref() {
            continue;
        }
        let def = row.to_def().map_err(Problem::internal)?;
        match def.formula.as_deref().map(formula::parse) {
            Some(Ok(expr)) => derived.push((def, expr)),
            Some(Err(e)) => return Err(Problem::internal(format!("stored formula of {}: {e}", def.code))),
            None => {
                entered.insert(def.code.clone(), def);
            }
        }
    }
    if entered.is_empty() {
        return Err(Problem::bad_request(
            "invalid_period",
            format!("期别 {period} 没有需要填报的指标（没有 {} 频率的在用指标）", period.frequency()),
        ));
    }
    let mut outer = BTreeMap::new();
    for code in derived.iter().flat_map(|(_, e): &(IndicatorDef, Expr)| e.codes()) {
        if entered.contains_key(&code) || derived.iter().any(|(d, _)| d.code == code) {
            continue;
        }
        let Some(row) =
            current.get(&code).filter(|r| r.status == IndicatorStatus::Active.as_ref() && r.formula.is_none())
        else {
            continue;
        };
        let coarser = row.frequency.parse().ok().and_then(|f| period.at(f)).is_some_and(|at| at != period);
        if coarser {
            outer.insert(code, row.to_def().map_err(Problem::internal)?);
        }
    }
    let rules = registry::rules(conn)?
        .into_iter()
        .filter(|r| r.active)
        .filter_map(|r| formula::parse(&r.expression).ok().map(|e| (r, e)))
        .filter(|(_, e)| e.codes().iter().all(|c| entered.contains_key(c) || derived.iter().any(|(d, _)| d.code == *c)))
        .collect();
    Ok(Form { period, entered, derived, rules, outer })
}

/// Checks that `region` is a current village.
///
/// # Errors
/// 404 when it is not a stored region, 400 when it is not a village.
pub fn require_village(conn: &mut DbConn, region: RegionCode) -> Result<(), Problem> {
    if onetable_store::regions::find(conn, region)?.is_none() {
        return Err(crate::actor::region_not_found(region));
    }
    if region.level() != RegionLevel::Village {
        return Err(Problem::bad_request("not_a_village", format!("{region} 不是村级区划：只有村（社区）有填报表")));
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

/// The values as the formula language sees them, derived ones computed: `cells` holds the form's
/// own and, for the outer inputs, the containing period's (see [`outer_cells`]).
#[must_use]
pub fn formula_values(form: &Form, cells: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    let mut values: BTreeMap<String, Value> = cells
        .iter()
        .filter_map(|(code, text)| formula_value(form.value_type(code)?, text).map(|v| (code.clone(), v)))
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
pub fn check_cells(form: &Form, cells: &[(String, RawCell)]) -> Result<Vec<(String, Option<String>)>, Problem> {
    let mut error = Problem::unprocessable("validation_failed", "有填报值不符合要求，全部未保存，请按提示修改");
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

/// The containing periods' values of the form's outer inputs, for a village: what a derived
/// indicator of this form reads from its year (or quarter).
///
/// # Errors
/// On a database fault.
pub fn outer_cells(conn: &mut DbConn, form: &Form, region: &str) -> Result<BTreeMap<String, String>, Problem> {
    let mut out = BTreeMap::new();
    let mut periods: Vec<Period> = form.outer.values().filter_map(|d| form.period.at(d.frequency)).collect();
    periods.sort();
    periods.dedup();
    for period in periods {
        for row in onetable_store::entries::values(conn, region, &period.to_string())? {
            if form.outer.get(&row.indicator_code).and_then(|d| form.period.at(d.frequency)) == Some(period) {
                out.insert(row.indicator_code, row.value);
            }
        }
    }
    Ok(out)
}

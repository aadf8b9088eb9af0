//! The registry's rules (指标库): what makes a definition valid, the duplicate guard, and
//! versioned changes under the compatibility rules. Shared by the API and `onetable catalogue load`.

pub mod catalogue;
pub mod inputs;
pub mod manage;
pub mod period_form;
pub mod read;
mod register_source;
pub mod views;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use onetable_core::formula::{self, CodeInfo, CodeKind, Type};
use onetable_core::indicator::{Aggregation, IndicatorCode, IndicatorDef, IndicatorStatus, ValueType};
use onetable_core::{compat, similarity};
use onetable_store::registry::{self, IndicatorRow};
use onetable_store::DbConn;
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::Problem;

/// The registry as it stands: latest version of every indicator.
pub type Current = BTreeMap<String, IndicatorRow>;

/// An existing indicator a new name resembles.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Similar {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// Character-bigram similarity of the normalised names, 0–1.
    pub similarity: f64,
}

/// What the duplicate guard found.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct DuplicateReport {
    /// Active indicators with the same normalised name (or name and unit, or an alias of that name):
    /// creating is refused.
    pub duplicates: Vec<Similar>,
    /// Active indicators with a similar name: warnings only.
    pub near_matches: Vec<Similar>,
}

fn invalid() -> Problem {
    Problem::unprocessable("validation_failed", "指标定义不符合要求，请按提示修改")
}

fn code_info(current: &Current, code: &str) -> Option<CodeInfo> {
    let row = current.get(code)?;
    let kind = match ValueType::parse(&row.value_type) {
        Ok(ValueType::Integer | ValueType::Decimal { .. }) => CodeKind::Number,
        Ok(ValueType::Boolean) => CodeKind::Bool,
        _ => CodeKind::Other,
    };
    Some(CodeInfo { kind, deprecated: row.status == IndicatorStatus::Deprecated.as_ref() })
}

fn formula_codes(text: &str) -> Vec<String> {
    formula::parse(text).map(|expr| expr.codes()).unwrap_or_default()
}

/// Adds a detail for each text that holds a refused character or is longer than its limit.
fn check_texts(mut error: Problem, texts: &[(&str, &str, usize)]) -> Problem {
    for (field, text, max) in texts {
        if let Err(problem) = onetable_core::text::check_text(text, *max) {
            error = error.with_detail(Some(field), problem.code(), format!("{field}：{problem}"));
        }
    }
    error
}

/// At most this many aliases per indicator.
pub const MAX_ALIASES: usize = 50;

fn check_aliases(mut error: Problem, def: &IndicatorDef) -> Problem {
    if def.aliases.len() > MAX_ALIASES {
        error = error.with_detail(
            Some("aliases"),
            "too_many",
            format!("别名最多 {MAX_ALIASES} 个，收到 {} 个", def.aliases.len()),
        );
    }
    for alias in &def.aliases {
        if let Err(problem) = onetable_core::text::check_text(alias, 100) {
            error = error.with_detail(Some("aliases"), problem.code(), format!("别名“{alias}”：{problem}"));
        }
        if alias.contains('|') {
            error = error.with_detail(Some("aliases"), "invalid_value", format!("别名“{alias}”不能含“|”"));
        }
    }
    error
}

/// Another active indicator whose name or alias reads like one of `def`'s aliases: an alias that
/// maps a form's column to two indicators would make the analyzer's exact match a guess.
fn alias_clashes(def: &IndicatorDef, current: &Current) -> Option<Problem> {
    let mut error = Problem::conflict("alias_taken", "别名已被其他指标使用：同一名称不能指向两个指标");
    for alias in &def.aliases {
        let wanted = similarity::normalize(alias);
        let owner = current.values().find(|row| {
            row.code != def.code
                && row.status == IndicatorStatus::Active.as_ref()
                && (row.normalized_name == wanted
                    || row.alias_list().iter().any(|a| similarity::normalize(a) == wanted))
        });
        if let Some(row) = owner {
            error = error.with_detail(
                Some("aliases"),
                "alias_taken",
                format!("别名“{alias}”已是 {}（{}）的名称或别名", row.code, row.name),
            );
        }
    }
    error.has_details().then_some(error)
}

/// Checks a definition on its own and against the registry: code, ranges, aggregation against
/// the value type, and the formula (syntax, codes, types, cycles). All problems at once.
///
/// # Errors
/// 422 `validation_failed` with one detail per problem.
pub fn validate(def: &IndicatorDef, current: &Current) -> Result<(), Problem> {
    let mut error = invalid();
    if let Err(message) = IndicatorCode::parse(&def.code) {
        error = error.with_detail(Some("code"), "invalid_code", message);
    }
    if def.name.trim().is_empty() {
        error = error.with_detail(Some("name"), "required", "指标名称不能为空");
    }
    let texts = [
        ("name", def.name.as_str(), 100),
        ("unit", def.unit.as_str(), 20),
        ("category", def.category.as_str(), 50),
        ("owner_department", def.owner_department.as_str(), 50),
        ("description", def.description.as_str(), 2000),
        ("legal_basis", def.legal_basis.as_str(), 2000),
        ("formula", def.formula.as_deref().unwrap_or(""), 2000),
    ];
    error = check_texts(error, &texts);
    error = check_aliases(error, def);
    if let (Some(min), Some(max)) = (def.constraints.min, def.constraints.max) {
        if min > max {
            error = error.with_detail(Some("min"), "min_above_max", format!("最小值 {min} 大于最大值 {max}"));
        }
    }
    let numeric = def.value_type.is_numeric();
    let aggregation_ok = match def.aggregation {
        Aggregation::Sum | Aggregation::Avg | Aggregation::Min | Aggregation::Max => numeric,
        Aggregation::CountTrue => def.value_type == ValueType::Boolean,
        Aggregation::Ratio => def.is_derived() && numeric,
        Aggregation::None => true,
    };
    if !aggregation_ok {
        error = error.with_detail(
            Some("aggregation"),
            "aggregation_not_allowed",
            format!(
                "汇总方式 {} 不适用于值类型 {}（sum/avg/min/max 需数值，count_true 需布尔，ratio 仅用于派生指标）",
                def.aggregation,
                def.value_type.spelling()
            ),
        );
    }
    if let Some(text) = &def.formula {
        if !numeric {
            error =
                error.with_detail(Some("value_type"), "derived_not_numeric", "派生指标的值类型须为 integer 或 decimal");
        }
        match formula::parse(text) {
            Err(e) => error = error.with_formula_errors("formula", &[e]),
            Ok(expr) => {
                let lookup = |code: &str| if code == def.code { None } else { code_info(current, code) };
                if let Err(errors) = formula::check(&expr, Type::Number, lookup) {
                    error = error.with_formula_errors("formula", &errors);
                }
                let deps = |code: &str| {
                    if code == def.code {
                        expr.codes()
                    } else {
                        current.get(code).and_then(|r| r.formula.as_deref()).map(formula_codes).unwrap_or_default()
                    }
                };
                if expr.codes().contains(&def.code) {
                    error = error.with_detail(Some("formula"), "cycle", format!("公式引用了自身 {}", def.code));
                } else if let Some(cycle) = formula::find_cycle(&def.code, deps) {
                    error =
                        error.with_detail(Some("formula"), "cycle", format!("派生指标循环引用：{}", cycle.join(" → ")));
                }
            }
        }
    }
    if error.has_details() {
        Err(error)
    } else {
        Ok(())
    }
}

/// Compares `name`/`unit` with every other active indicator.
#[must_use]
pub fn duplicates(name: &str, unit: &str, except_code: Option<&str>, current: &Current) -> DuplicateReport {
    let normalized = similarity::normalize(name);
    let without_unit = similarity::name_without_unit(name, unit);
    let mut report = DuplicateReport::default();
    for row in current.values() {
        if Some(row.code.as_str()) == except_code || row.status != IndicatorStatus::Active.as_ref() {
            continue;
        }
        let score = similarity::similarity(name, &row.name);
        let found = Similar {
            code: row.code.clone(),
            name: row.name.clone(),
            unit: row.unit.clone(),
            similarity: (score * 100.0).round() / 100.0,
        };
        let same = row.normalized_name == normalized
            || row.alias_list().iter().any(|a| similarity::normalize(a) == normalized)
            || (row.unit == unit && similarity::name_without_unit(&row.name, &row.unit) == without_unit);
        if same {
            report.duplicates.push(found);
        } else if score >= similarity::NEAR_DUPLICATE_THRESHOLD {
            report.near_matches.push(found);
        }
    }
    report.near_matches.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    report
}

fn duplicate_error(report: &DuplicateReport) -> Problem {
    let names: Vec<String> = report.duplicates.iter().map(|d| format!("{}（{}）", d.code, d.name)).collect();
    let mut error = Problem::conflict(
        "duplicate_indicator",
        format!("已有相同含义的指标：{}。请复用已有指标，而不是新建", names.join("、")),
    );
    for d in &report.duplicates {
        error = error.with_detail(Some("name"), "duplicate_of", d.code.clone());
    }
    error
}

/// The result of a create or update: the stored version and what the guard noticed.
#[derive(Debug)]
pub struct Saved {
    pub row: IndicatorRow,
    pub changes: Vec<compat::Change>,
    pub report: DuplicateReport,
    /// False when an update changed nothing (no new version was written).
    pub written: bool,
}

/// Creates version 1 of a new indicator.
///
/// # Errors
/// 422 invalid, 409 existing code or duplicate name.
pub fn create(
    conn: &mut DbConn,
    def: &IndicatorDef,
    actor: &str,
    now: NaiveDateTime,
    note: Option<String>,
) -> Result<Saved, Problem> {
    let current = registry::current(conn)?;
    validate(def, &current)?;
    register_source::check(conn, def)?;
    if current.contains_key(&def.code) {
        return Err(Problem::conflict(
            "indicator_exists",
            format!("指标代码 {} 已存在；修改请用 PUT 生成新版本", def.code),
        ));
    }
    let report = duplicates(&def.name, &def.unit, None, &current);
    if !report.duplicates.is_empty() {
        return Err(duplicate_error(&report));
    }
    if let Some(error) = alias_clashes(def, &current) {
        return Err(error);
    }
    let sort_order = current.values().map(|r| r.sort_order).max().unwrap_or(0) + 10;
    let row = IndicatorRow::from_def(def, 1, sort_order, actor, now, note);
    registry::insert_version(conn, &row).map_err(|e| concurrent_edit(&def.code, e))?;
    Ok(Saved { row, changes: Vec::new(), report, written: true })
}

fn concurrent_edit(code: &str, e: onetable_store::diesel_error::Error) -> Problem {
    if matches!(
        e,
        onetable_store::diesel_error::Error::DatabaseError(
            onetable_store::diesel_error::DatabaseErrorKind::UniqueViolation,
            _
        )
    ) {
        Problem::conflict("concurrent_change", format!("指标 {code} 正被同时修改，请刷新后重试"))
    } else {
        Problem::internal(e)
    }
}

/// Writes a new version when `def` differs from the current one. A breaking change to an
/// indicator with stored values is refused; without values it is allowed.
///
/// # Errors
/// 404 unknown code, 422 invalid, 409 breaking change over data or duplicate name.
pub fn update(
    conn: &mut DbConn,
    def: &IndicatorDef,
    actor: &str,
    now: NaiveDateTime,
    note: Option<String>,
) -> Result<Saved, Problem> {
    let current = registry::current(conn)?;
    let Some(old_row) = current.get(&def.code) else {
        return Err(Problem::not_found("indicator_not_found", format!("指标 {} 不存在", def.code)));
    };
    let old = old_row.to_def().map_err(Problem::internal)?;
    validate(def, &current)?;
    if def.register_aggregate.is_some() && def.register_aggregate != old.register_aggregate {
        register_source::check(conn, def)?;
    }
    let changes = compat::changes(&old, def);
    let status_changed = old.status != def.status;
    if changes.is_empty() && !status_changed {
        return Ok(Saved { row: old_row.clone(), changes, report: DuplicateReport::default(), written: false });
    }
    let breaking: Vec<&compat::Change> = changes.iter().filter(|c| c.breaking).collect();
    if !breaking.is_empty() && registry::has_data(conn, &def.code)? {
        let mut error = Problem::conflict(
            "breaking_change",
            format!("指标 {} 已有填报数据，不能做不兼容的修改。请停用该指标并新建代码（或等待数据转换功能）", def.code),
        );
        for change in breaking {
            error = error.with_detail(Some(change.field), "breaking_change", change.message.clone());
        }
        return Err(error);
    }
    let report = duplicates(&def.name, &def.unit, Some(&def.code), &current);
    if def.status == IndicatorStatus::Active && !report.duplicates.is_empty() {
        return Err(duplicate_error(&report));
    }
    if let Some(error) = alias_clashes(def, &current) {
        return Err(error);
    }
    let row = IndicatorRow::from_def(def, old_row.version + 1, old_row.sort_order, actor, now, note);
    registry::insert_version(conn, &row).map_err(|e| concurrent_edit(&def.code, e))?;
    Ok(Saved { row, changes, report, written: true })
}

/// A validation rule (校验规则) as submitted.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub code: String,
    pub name: String,
    pub expression: String,
    pub severity: String,
    pub message: String,
    pub tolerance: Option<f64>,
    pub missing_as_zero: bool,
    pub active: bool,
}

/// Checks a rule: code, severity, message, and an expression that is a condition over known,
/// current indicators.
///
/// # Errors
/// 422 with one detail per problem (formula problems with their positions).
pub fn validate_rule(spec: &RuleSpec, current: &Current) -> Result<(), Problem> {
    let mut error = Problem::unprocessable("validation_failed", "校验规则不符合要求，请按提示修改");
    if let Err(message) = IndicatorCode::parse(&spec.code) {
        error = error.with_detail(Some("code"), "invalid_code", message.replace("指标代码", "规则代码"));
    }
    if spec.name.trim().is_empty() {
        error = error.with_detail(Some("name"), "required", "规则名称不能为空");
    }
    let texts = [
        ("name", spec.name.as_str(), 100),
        ("message", spec.message.as_str(), 500),
        ("expression", spec.expression.as_str(), 2000),
    ];
    error = check_texts(error, &texts);
    if !matches!(spec.severity.as_str(), "error" | "warning") {
        error =
            error.with_detail(Some("severity"), "invalid_value", "严重程度应为 error（阻止提交）或 warning（需说明）");
    }
    if spec.message.trim().is_empty() {
        error = error.with_detail(Some("message"), "required", "请填写给填报员看的提示信息");
    }
    if spec.tolerance.is_some_and(|t| !(0.0..=1_000_000.0).contains(&t)) {
        error = error.with_detail(Some("tolerance"), "invalid_value", "容差须为非负数");
    }
    match formula::parse(&spec.expression) {
        Err(e) => error = error.with_formula_errors("expression", &[e]),
        Ok(expr) => {
            if let Err(errors) = formula::check(&expr, Type::Bool, |code| code_info(current, code)) {
                error = error.with_formula_errors("expression", &errors);
            }
        }
    }
    if error.has_details() {
        Err(error)
    } else {
        Ok(())
    }
}

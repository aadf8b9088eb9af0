//! What an admin (or a catalogue file) gives to create or change an indicator or a rule, and the
//! definitions they become.

use chrono::NaiveDateTime;
use onetable_core::indicator::{parse_choice, Constraints, IndicatorDef, IndicatorStatus, Sensitivity, ValueType};
use onetable_store::registry::RuleRow;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::problem::Problem;
use crate::registry::RuleSpec;

/// A definition to create or to replace the current version with.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct IndicatorInput {
    /// Required to create; ignored by PUT (the path names the code).
    pub code: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub unit: String,
    #[schema(example = "integer")]
    pub value_type: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    #[serde(default)]
    pub required: bool,
    pub category: String,
    #[schema(example = "annual")]
    pub frequency: String,
    #[schema(example = "sum")]
    pub aggregation: String,
    /// Default `public`.
    pub sensitivity: Option<String>,
    #[serde(default)]
    pub owner_department: String,
    #[serde(default)]
    pub legal_basis: String,
    pub formula: Option<String>,
    /// `draft` or `active` (default `active`); deprecate with its own endpoint.
    pub status: Option<String>,
    /// Why this version: kept with it.
    pub change_note: Option<String>,
    /// Aliases (别名): other names departments use for it. Omitted on PUT: kept as they are.
    pub aliases: Option<Vec<String>>,
}

impl IndicatorInput {
    /// The definition, or a 422 listing every field that does not parse.
    ///
    /// # Errors
    /// 422 `validation_failed`.
    pub fn to_def(&self, code: &str) -> Result<IndicatorDef, Problem> {
        let mut problems: Vec<(&str, String)> = Vec::new();
        let value_type = ValueType::parse(&self.value_type).map_err(|m| problems.push(("value_type", m))).ok();
        let frequency = parse_choice(&self.frequency, "填报频率").map_err(|m| problems.push(("frequency", m))).ok();
        let aggregation =
            parse_choice(&self.aggregation, "汇总方式").map_err(|m| problems.push(("aggregation", m))).ok();
        let sensitivity = self
            .sensitivity
            .as_deref()
            .map_or(Ok(Sensitivity::Public), |s| parse_choice(s, "敏感级别"))
            .map_err(|m| problems.push(("sensitivity", m)))
            .ok();
        let status = match self.status.as_deref() {
            None => Ok(IndicatorStatus::Active),
            Some("deprecated") => Err("停用请调用 POST /api/v1/indicators/{code}/deprecate".to_owned()),
            Some(s) => parse_choice(s, "状态"),
        }
        .map_err(|m| problems.push(("status", m)))
        .ok();
        let (Some(value_type), Some(frequency), Some(aggregation), Some(sensitivity), Some(status)) =
            (value_type, frequency, aggregation, sensitivity, status)
        else {
            let error = Problem::unprocessable("validation_failed", "指标定义不符合要求，请按提示修改");
            return Err(problems.into_iter().fold(error, |e, (f, m)| e.with_detail(Some(f), "invalid_value", m)));
        };
        let formula = self.formula.as_deref().map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned);
        // `count(REG.…)` / `sum(REG.…)`: derived from a register and stored, not computed on read.
        let (formula, register_aggregate) = match formula {
            Some(text) if onetable_core::register::aggregate::looks_like(&text) => (None, Some(text)),
            other => (other, None),
        };
        Ok(IndicatorDef {
            code: code.trim().to_owned(),
            name: self.name.trim().to_owned(),
            description: self.description.trim().to_owned(),
            unit: self.unit.trim().to_owned(),
            value_type,
            constraints: Constraints { min: self.min, max: self.max, required: self.required },
            category: self.category.trim().to_owned(),
            frequency,
            aggregation,
            sensitivity,
            owner_department: self.owner_department.trim().to_owned(),
            legal_basis: self.legal_basis.trim().to_owned(),
            formula,
            register_aggregate,
            status,
            aliases: tidy_aliases(self.aliases.as_deref().unwrap_or_default()),
        })
    }
}

/// Trimmed, blanks and repeats dropped, in the order given.
#[must_use]
pub fn tidy_aliases(aliases: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for alias in aliases.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        if !out.iter().any(|o| o == alias) {
            out.push(alias.to_owned());
        }
    }
    out
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RuleInput {
    /// Required to create; PUT takes it from the path.
    pub code: Option<String>,
    pub name: String,
    pub expression: String,
    pub severity: String,
    pub message: String,
    pub tolerance: Option<f64>,
    /// `skip` (default) or `zero`.
    pub missing: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

impl RuleInput {
    #[must_use]
    pub fn to_spec(&self, code: &str) -> RuleSpec {
        RuleSpec {
            code: code.trim().to_owned(),
            name: self.name.trim().to_owned(),
            expression: self.expression.trim().to_owned(),
            severity: self.severity.trim().to_owned(),
            message: self.message.trim().to_owned(),
            tolerance: self.tolerance,
            missing_as_zero: self.missing.as_deref() == Some("zero"),
            active: self.active.unwrap_or(true),
        }
    }
}

/// The row a checked spec becomes.
#[must_use]
pub fn to_row(spec: &RuleSpec, by: &str, at: NaiveDateTime) -> RuleRow {
    RuleRow {
        code: spec.code.clone(),
        name: spec.name.clone(),
        expression: spec.expression.clone(),
        severity: spec.severity.clone(),
        message: spec.message.clone(),
        tolerance: spec.tolerance.unwrap_or(onetable_core::formula::DEFAULT_TOLERANCE),
        missing_as_zero: spec.missing_as_zero,
        active: spec.active,
        updated_by: by.to_owned(),
        updated_at: at,
    }
}

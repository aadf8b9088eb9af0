//! Validation rules (校验规则): cross-field checks in the formula language. Admins write.

pub mod list;
pub mod save;

use chrono::NaiveDateTime;
use onetable_store::registry::RuleRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::registry::RuleSpec;

#[derive(Debug, Serialize, ToSchema)]
pub struct Rule {
    #[schema(example = "R.SEX_SUM")]
    pub code: String,
    pub name: String,
    /// A condition in the formula language.
    #[schema(example = "POP.MALE + POP.FEMALE == POP.REGISTERED")]
    pub expression: String,
    /// `error` blocks submission; `warning` needs an explanation.
    pub severity: String,
    /// Shown to the clerk when the rule fails.
    pub message: String,
    /// Equality holds within this (default 0.01).
    pub tolerance: f64,
    /// `skip` (default: the rule is not evaluated while an input is missing) or `zero`.
    pub missing: String,
    pub active: bool,
    pub updated_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<RuleRow> for Rule {
    fn from(row: RuleRow) -> Self {
        Self {
            code: row.code,
            name: row.name,
            expression: row.expression,
            severity: row.severity,
            message: row.message,
            tolerance: row.tolerance,
            missing: if row.missing_as_zero { "zero" } else { "skip" }.to_owned(),
            active: row.active,
            updated_by: row.updated_by,
            updated_at: row.updated_at,
        }
    }
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

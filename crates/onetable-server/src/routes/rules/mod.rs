//! Validation rules (校验规则): cross-field checks in the formula language. Admins write.

pub mod list;
pub mod save;

use chrono::NaiveDateTime;
use onetable_store::registry::RuleRow;
use serde::Serialize;
use utoipa::ToSchema;

pub use onetable_app::registry::inputs::{to_row, RuleInput};

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
    #[serde(serialize_with = "onetable_app::time::utc")]
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

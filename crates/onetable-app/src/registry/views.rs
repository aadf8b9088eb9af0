//! The registry as clients read it: an indicator version, a saved version with what the
//! duplicate guard noticed, a rule. Fields are named like the reference catalogue's CSV columns.

use chrono::NaiveDateTime;
use onetable_store::registry::{IndicatorRow, RuleRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Saved, Similar};

/// One version of an indicator; fields named like the reference catalogue's CSV columns.
#[derive(Debug, Serialize, ToSchema)]
pub struct Indicator {
    #[schema(example = "POP.REGISTERED")]
    pub code: String,
    pub version: i32,
    #[schema(example = "户籍人口")]
    pub name: String,
    pub description: String,
    #[schema(example = "人")]
    pub unit: String,
    /// `integer`, `decimal`, `decimal(4)`, `boolean`, `enum:A|B|C`, `text`, `text(500)` or `date`.
    #[schema(example = "integer")]
    pub value_type: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub required: bool,
    pub category: String,
    /// `annual`, `quarterly` or `monthly`.
    pub frequency: String,
    /// `sum`, `avg`, `min`, `max`, `count_true`, `none`, or `ratio` (derived only).
    pub aggregation: String,
    /// `public`, `internal` or `sensitive`.
    pub sensitivity: String,
    pub owner_department: String,
    /// 依据: the law or document the collection rests on.
    pub legal_basis: String,
    /// Derived indicators' formula, or the register aggregate (`count(REG.DIBAO)`) an
    /// indicator is kept from.
    pub formula: Option<String>,
    /// `draft`, `active` or `deprecated`.
    pub status: String,
    pub created_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    pub created_at: NaiveDateTime,
    pub change_note: Option<String>,
    /// Aliases (别名): other names departments use for it.
    #[schema(example = json!(["总人口"]))]
    pub aliases: Vec<String>,
}

impl From<IndicatorRow> for Indicator {
    fn from(row: IndicatorRow) -> Self {
        Self {
            aliases: row.alias_list(),
            code: row.code,
            version: row.version,
            name: row.name,
            description: row.description,
            unit: row.unit,
            value_type: row.value_type,
            min: row.min_value,
            max: row.max_value,
            required: row.required,
            category: row.category,
            frequency: row.frequency,
            aggregation: row.aggregation,
            sensitivity: row.sensitivity,
            owner_department: row.owner_department,
            legal_basis: row.legal_basis,
            // A register aggregate reads as the formula it was written as (GET, then PUT, keeps it).
            formula: row.formula.or(row.register_aggregate),
            status: row.status,
            created_by: row.created_by,
            created_at: row.created_at,
            change_note: row.change_note,
        }
    }
}

/// A stored version with what the duplicate guard noticed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedIndicator {
    pub indicator: Indicator,
    /// Differences from the previous version (empty for a new indicator).
    pub changes: Vec<Change>,
    /// Active indicators with similar names: check that this is not one of them.
    pub warnings: Vec<Similar>,
    /// False when the definition was unchanged and no version was written.
    pub new_version: bool,
}

/// One difference between versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Change {
    pub field: String,
    /// Breaking changes are refused once the indicator has data.
    pub breaking: bool,
    pub message: String,
}

impl From<Saved> for SavedIndicator {
    fn from(saved: Saved) -> Self {
        Self {
            indicator: saved.row.into(),
            changes: saved
                .changes
                .into_iter()
                .map(|c| Change { field: c.field.to_owned(), breaking: c.breaking, message: c.message })
                .collect(),
            warnings: saved.report.near_matches,
            new_version: saved.written,
        }
    }
}

/// A validation rule (校验规则): a cross-field check in the formula language.
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

//! The indicator registry (指标库) over HTTP. Admins write; every role but the auditor reads.

pub mod check;
pub mod create;
pub mod deprecate;
pub mod get;
pub mod list;
pub mod update;

use chrono::NaiveDateTime;
use onetable_core::indicator::{parse_choice, Constraints, IndicatorDef, IndicatorStatus, Sensitivity, ValueType};
use onetable_core::Role;
use onetable_store::registry::IndicatorRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::registry::Similar;

/// Roles that read the registry (the auditor reads only the audit trail).
pub const READERS: [Role; 5] = [Role::Clerk, Role::Reviewer, Role::Admin, Role::Viewer, Role::Department];

/// # Errors
/// 403 for the auditor.
pub fn require_reader(caller: &Caller) -> Result<(), ApiError> {
    caller.require_role(&READERS)
}

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
    /// Derived indicators only.
    pub formula: Option<String>,
    /// `draft`, `active` or `deprecated`.
    pub status: String,
    pub created_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    pub created_at: NaiveDateTime,
    pub change_note: Option<String>,
}

impl From<IndicatorRow> for Indicator {
    fn from(row: IndicatorRow) -> Self {
        Self {
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
            formula: row.formula,
            status: row.status,
            created_by: row.created_by,
            created_at: row.created_at,
            change_note: row.change_note,
        }
    }
}

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
}

impl IndicatorInput {
    /// The definition, or a 422 listing every field that does not parse.
    ///
    /// # Errors
    /// 422 `validation_failed`.
    pub fn to_def(&self, code: &str) -> Result<IndicatorDef, ApiError> {
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
            let error = ApiError::unprocessable("validation_failed", "指标定义不符合要求，请按提示修改");
            return Err(problems.into_iter().fold(error, |e, (f, m)| e.with_detail(Some(f), "invalid_value", m)));
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
            formula: self.formula.as_deref().map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned),
            status,
        })
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

impl From<crate::registry::Saved> for SavedIndicator {
    fn from(saved: crate::registry::Saved) -> Self {
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

pub fn indicator_not_found(code: &str) -> ApiError {
    ApiError::not_found("indicator_not_found", format!("指标 {code} 不存在"))
}

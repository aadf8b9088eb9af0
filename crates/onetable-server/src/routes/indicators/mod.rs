//! The indicator registry (指标库) over HTTP. Admins write; every role but the auditor reads.

pub mod check;
pub mod create;
pub mod deprecate;
pub mod get;
pub mod list;
pub mod update;

use chrono::NaiveDateTime;
use onetable_core::Role;
use onetable_store::registry::IndicatorRow;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
pub use onetable_app::registry::inputs::IndicatorInput;
use onetable_app::registry::Similar;

/// Roles that read the registry (the auditor reads only the audit trail).
pub const READERS: [Role; 5] = [Role::Clerk, Role::Reviewer, Role::Admin, Role::Viewer, Role::Department];

/// # Errors
/// 403 for the auditor.
pub fn require_reader(caller: &Caller) -> Result<(), ApiError> {
    Ok(caller.require_role(&READERS)?)
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
    #[serde(serialize_with = "onetable_app::time::utc")]
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

impl From<onetable_app::registry::Saved> for SavedIndicator {
    fn from(saved: onetable_app::registry::Saved) -> Self {
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
    onetable_app::registry::manage::indicator_not_found(code).into()
}

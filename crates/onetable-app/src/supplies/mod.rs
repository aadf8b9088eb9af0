//! Data flowing down (数据回流): a department that already holds a village's numbers supplies
//! them ([`grants`]: 数据供给, the mirror of a data request), pushes them ([`push`]), and they
//! arrive in the village's form prefilled, for the clerk to confirm or correct ([`prefill`]).

pub mod beside;
pub mod discrepancies;
pub mod grants;
pub mod prefill;
pub mod push;
pub mod push_file;
pub mod records;

use chrono::NaiveDateTime;
use onetable_core::{RegionCode, Role};
use onetable_store::supplies::SupplyRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::actor::Actor;
use crate::problem::Problem;
use crate::text::{Paragraph, Text};

/// How often the department means to supply.
pub const REFRESH: [&str; 5] = ["daily", "weekly", "monthly", "quarterly", "yearly"];

/// What a department files.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSupply {
    /// The indicators it will supply (values).
    #[schema(example = json!(["POP.REGISTERED", "POP.HOUSEHOLDS"]))]
    #[serde(default)]
    pub indicators: Vec<String>,
    /// Registers (台账) whose records it will push (民政局's 低保户 list); at least one indicator or
    /// register in all.
    #[schema(example = json!([]))]
    #[serde(default)]
    pub registers: Vec<String>,
    /// The region it supplies (its villages), inside the department's jurisdiction.
    #[schema(example = "5223")]
    pub region: String,
    #[schema(value_type = String, example = "户籍人口数据回流，减少村级重复填报")]
    pub purpose: Paragraph,
    /// The department system the values come from.
    #[schema(value_type = String, example = "公安人口信息管理系统")]
    pub source_system: Text<100>,
    /// `daily`, `weekly`, `monthly`, `quarterly` or `yearly`.
    #[schema(example = "monthly")]
    pub refresh: String,
}

/// A supply grant as its department and the admins over it see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Supply {
    pub id: i64,
    pub department: String,
    pub requested_by: String,
    pub region: String,
    pub indicators: Vec<String>,
    /// Registers whose records it pushes.
    pub registers: Vec<String>,
    pub purpose: String,
    pub source_system: String,
    pub refresh: String,
    /// `pending`, `approved`, `rejected` or `revoked`.
    pub status: String,
    pub decided_by: Option<String>,
    #[serde(serialize_with = "crate::time::utc_opt")]
    #[schema(value_type = Option<String>)]
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
    #[serde(serialize_with = "crate::time::utc")]
    #[schema(value_type = String)]
    pub created_at: NaiveDateTime,
}

impl From<SupplyRow> for Supply {
    fn from(row: SupplyRow) -> Self {
        Self {
            indicators: row.indicator_list(),
            registers: row.register_list(),
            id: row.id,
            department: row.department,
            requested_by: row.requested_by,
            region: row.region_code,
            purpose: row.purpose,
            source_system: row.source_system,
            refresh: row.refresh,
            status: row.status,
            decided_by: row.decided_by,
            decided_at: row.decided_at,
            decision_reason: row.decision_reason,
            created_at: row.created_at,
        }
    }
}

/// The 404 of a supply the actor does not see.
#[must_use]
pub fn not_found(id: i64) -> Problem {
    Problem::not_found("supply_not_found", format!("数据供给 {id} 不存在"))
}

/// Whether `actor` sees `row`: its department, and admins whose scope overlaps its region.
#[must_use]
pub fn can_see(actor: &Actor, row: &SupplyRow) -> bool {
    match actor.role {
        Role::Department => actor.department.as_deref() == Some(row.department.as_str()),
        Role::Admin => RegionCode::parse(&row.region_code).is_ok_and(|region| actor.scope.overlaps(region)),
        _ => false,
    }
}

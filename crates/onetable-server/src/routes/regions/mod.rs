//! The region hierarchy (统计用区划代码): lookup, children, search.

pub mod children;
pub mod get;
pub mod search;
pub mod usage;

use chrono::NaiveDate;
use onetable_core::{RegionCode, RegionKind, Role};
use onetable_store::models::RegionRow;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
pub use crate::routes::params::{parse_code, Level, Paging};

/// The kind of a township- or village-level unit, from its code's segment range.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 街道
    Subdistrict,
    /// 镇
    Town,
    /// 乡
    Township,
    /// 类似乡级单位
    TownshipLike,
    /// 社区/居委会
    Community,
    /// 村委会
    VillageCommittee,
}

impl From<RegionKind> for Kind {
    fn from(kind: RegionKind) -> Self {
        match kind {
            RegionKind::Subdistrict => Self::Subdistrict,
            RegionKind::Town => Self::Town,
            RegionKind::Township => Self::Township,
            RegionKind::TownshipLike => Self::TownshipLike,
            RegionKind::Community => Self::Community,
            RegionKind::VillageCommittee => Self::VillageCommittee,
        }
    }
}

/// A region as lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Region {
    /// 12-digit statistical division code.
    #[schema(example = "522301100201")]
    pub code: String,
    pub name: String,
    pub level: Level,
    /// 1 (province) to 5 (village).
    pub level_number: u8,
    /// Township and village levels only.
    pub kind: Option<Kind>,
    /// The kind in Chinese (街道, 镇, 乡, 社区, 村 …).
    pub kind_label: Option<String>,
    pub parent_code: Option<String>,
    pub valid_from: NaiveDate,
    /// Set when the code was retired (it is never deleted).
    pub valid_to: Option<NaiveDate>,
}

impl Region {
    /// # Errors
    /// When a stored code no longer parses (a corrupt row: an internal error).
    pub fn from_row(row: RegionRow) -> Result<Self, ApiError> {
        let code =
            RegionCode::parse(&row.code).map_err(|e| ApiError::internal(format!("stored region {}: {e}", row.code)))?;
        let kind = code.kind();
        Ok(Self {
            code: row.code,
            name: row.name,
            level: code.level().into(),
            level_number: code.level().number(),
            kind: kind.map(Kind::from),
            kind_label: kind.map(|k| k.label_zh().to_owned()),
            parent_code: row.parent_code,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
        })
    }
}

/// One page of regions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionPage {
    pub items: Vec<Region>,
    /// How many regions match in all.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Every role but the auditor reads regions (within its scope).
const READERS: [Role; 5] = [Role::Clerk, Role::Reviewer, Role::Admin, Role::Viewer, Role::Department];

/// # Errors
/// 403 for an auditor (it reads the audit trail and nothing else).
pub fn require_reader(caller: &Caller) -> Result<(), ApiError> {
    Ok(caller.require_role(&READERS)?)
}

pub fn region_not_found(code: RegionCode) -> ApiError {
    onetable_app::actor::region_not_found(code).into()
}

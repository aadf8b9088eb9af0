//! The region hierarchy (统计用区划代码) as readers see it: a region, its ancestors and history,
//! its children, a search — each cut to the reader's scope ([`read`]).

pub mod names;
pub mod read;

use chrono::{NaiveDate, NaiveDateTime};
use onetable_core::{RegionCode, RegionKind, RegionLevel, Role};
use onetable_store::models::RegionRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::problem::{AppResult, Problem};

/// Every role but the auditor reads regions (within its scope); the auditor reads only the
/// audit trail.
pub const READERS: [Role; 5] = [Role::Clerk, Role::Reviewer, Role::Admin, Role::Viewer, Role::Department];

/// A region's level, province (1) to village (5).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    Prefecture,
    County,
    Township,
    Village,
}

impl From<RegionLevel> for Level {
    fn from(level: RegionLevel) -> Self {
        match level {
            RegionLevel::Province => Self::Province,
            RegionLevel::Prefecture => Self::Prefecture,
            RegionLevel::County => Self::County,
            RegionLevel::Township => Self::Township,
            RegionLevel::Village => Self::Village,
        }
    }
}

impl From<Level> for RegionLevel {
    fn from(level: Level) -> Self {
        match level {
            Level::Province => Self::Province,
            Level::Prefecture => Self::Prefecture,
            Level::County => Self::County,
            Level::Township => Self::Township,
            Level::Village => Self::Village,
        }
    }
}

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
    pub fn from_row(row: RegionRow) -> AppResult<Self> {
        let code =
            RegionCode::parse(&row.code).map_err(|e| Problem::internal(format!("stored region {}: {e}", row.code)))?;
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

/// One ancestor on the way from the province down.
#[derive(Debug, Serialize, ToSchema)]
pub struct PathEntry {
    pub code: String,
    pub name: String,
    pub level: Level,
}

/// A recorded rename, retirement or restoration of the code.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionChange {
    /// `rename`, `merge`, `split`, `retire` or `restore`.
    pub kind: String,
    pub old_code: String,
    pub new_code: Option<String>,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
    pub effective: NaiveDate,
    #[serde(serialize_with = "crate::time::utc")]
    pub recorded_at: NaiveDateTime,
}

/// A region with its ancestors and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    pub region: Region,
    /// Ancestors, province first.
    pub path: Vec<PathEntry>,
    /// Renames and retirements recorded for this code, oldest first.
    pub changes: Vec<RegionChange>,
}

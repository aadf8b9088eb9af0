//! Roles (角色) and which region levels each may be scoped to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::region::RegionLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 村级填报员: enters and submits one village's data.
    Clerk,
    /// 审核员: reviews the villages of a township or county.
    Reviewer,
    /// 管理员: users, registry and data requests inside a county, prefecture or province.
    Admin,
    /// 看板: reads aggregates inside a region.
    Viewer,
    /// 部门: a department's person or system; files data requests, pulls what they allow.
    Department,
    /// 审计员: reads audit events and nothing else.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Self::Clerk, Self::Reviewer, Self::Admin, Self::Viewer, Self::Department, Self::Auditor];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clerk => "clerk",
            Self::Reviewer => "reviewer",
            Self::Admin => "admin",
            Self::Viewer => "viewer",
            Self::Department => "department",
            Self::Auditor => "auditor",
        }
    }

    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Clerk => "村级填报员",
            Self::Reviewer => "审核员",
            Self::Admin => "管理员",
            Self::Viewer => "看板用户",
            Self::Department => "部门用户",
            Self::Auditor => "审计员",
        }
    }

    /// The region levels this role's scope may be (see also [`Self::may_be_nationwide`]).
    #[must_use]
    pub fn scope_levels(self) -> &'static [RegionLevel] {
        use RegionLevel::{County, Prefecture, Province, Township, Village};
        match self {
            Self::Clerk => &[Village],
            Self::Reviewer => &[Township, County],
            Self::Admin => &[County, Prefecture, Province],
            Self::Viewer | Self::Department | Self::Auditor => &[Province, Prefecture, County, Township, Village],
        }
    }

    /// Whether this role may have the whole country as its scope (no region): a ministry's or a
    /// national statistics department's viewers, admins and systems, and auditors. Only the
    /// operator gives it (the CLI); the same protection rules hold.
    #[must_use]
    pub fn may_be_nationwide(self) -> bool {
        matches!(self, Self::Viewer | Self::Admin | Self::Department | Self::Auditor)
    }

    /// Whether a user of this role must belong to a department.
    #[must_use]
    pub fn needs_department(self) -> bool {
        self == Self::Department
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的角色：{0}（应为 clerk、reviewer、admin、viewer、department 或 auditor）")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

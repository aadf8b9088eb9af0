//! The legacy-form analyzer (报表清理): a department brings the Excel form it used to send villages
//! and learns what the registry already has for it. Analysis stores nothing; confirming a mapping
//! teaches the registry an alias.

pub mod analyze;
pub mod cleanup;
pub mod confirm;
pub mod draft;
pub mod fill;
pub mod proposals;
pub mod read;
pub mod templates;
pub mod views;
pub mod xls_cost;

use onetable_core::indicator::IndicatorStatus;
use onetable_core::legacy::Known;
use onetable_core::Role;

use crate::registry::Current;

/// Who analyzes forms: departments (their own) and admins (for the clean-up).
pub const ANALYSTS: [Role; 2] = [Role::Department, Role::Admin];

/// The registry as the matcher sees it: active indicators with their aliases.
#[must_use]
pub fn known(current: &Current) -> Vec<Known> {
    current
        .values()
        .filter(|row| row.status == IndicatorStatus::Active.as_ref())
        .map(|row| Known {
            code: row.code.clone(),
            name: row.name.clone(),
            unit: row.unit.clone(),
            aliases: row.alias_list(),
            derived: row.formula.is_some(),
            yes_no: row.value_type == "boolean",
            share_of: row.formula.as_deref().and_then(onetable_core::legacy::matching::share_of),
        })
        .collect()
}

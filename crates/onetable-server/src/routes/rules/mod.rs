//! Validation rules (校验规则): cross-field checks in the formula language. Admins write; every
//! role but the auditor reads.

pub mod list;
pub mod save;

pub use onetable_app::registry::inputs::RuleInput;
pub use onetable_app::registry::views::Rule;

//! The indicator registry (指标库) over HTTP. Admins write; every role but the auditor reads —
//! decided in `onetable_app::registry` (`read`, `manage`).

pub mod check;
pub mod create;
pub mod deprecate;
pub mod get;
pub mod list;
pub mod update;

pub use onetable_app::registry::inputs::IndicatorInput;
pub use onetable_app::registry::views::{Change, Indicator, SavedIndicator};

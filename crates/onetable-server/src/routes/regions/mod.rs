//! The region hierarchy (统计用区划代码) over HTTP: lookup, children, search, data return. Who
//! reads which regions is decided in `onetable_app::regions`.

pub mod children;
pub mod get;
pub mod search;
pub mod usage;

pub use onetable_app::regions::{Kind, Level, PathEntry, Region, RegionChange, RegionDetail, RegionPage};

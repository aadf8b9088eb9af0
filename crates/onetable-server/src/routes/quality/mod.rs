//! Data quality (数据质量) over HTTP.

pub mod follow_ups;
pub mod outliers;

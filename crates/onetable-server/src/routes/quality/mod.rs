//! Data quality (数据质量) over HTTP.

pub mod outliers;

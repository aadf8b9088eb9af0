//! Data quality (数据质量): outliers against a village's own history and its county's villages,
//! read from the live cube ([`outliers`]).

pub mod outliers;

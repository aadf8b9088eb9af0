//! Data quality (数据质量): outliers against a village's own history and its county's villages,
//! read from the live cube ([`outliers`]); values a reviewer marks to be checked ([`follow_ups`]).

pub mod follow_ups;
pub mod outliers;

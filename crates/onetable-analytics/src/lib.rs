//! onetable's read side. Today: rendering tables for people who work in Excel (CSV with a BOM,
//! XLSX). The polars value cube and rollups arrive with the sharing issue.

pub mod render;

//! onetable's read side: the in-memory value cube on polars (per period, village × indicator),
//! rollups and village pulls over it, formulas compiled to polars expressions, and rendering to
//! JSON, CSV (UTF-8 with BOM), XLSX and Parquet.

pub mod compile;
pub mod cube;
pub mod extract;
pub mod filled;
pub mod measure;
pub mod quality;
pub mod query;
pub mod render;
pub mod report;
mod segmented;

pub use cube::{Cube, CubeBuilder, CubeError, EntryState, SnapshotFiles, SnapshotFrames, VillageEntry};
pub use measure::{Measure, MeasureKind};
pub use query::Selection;
pub use report::{Datum, Headers, Report, RowKind};

#[cfg(test)]
mod tests;

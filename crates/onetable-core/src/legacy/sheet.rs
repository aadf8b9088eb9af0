//! A sheet as the analyzer reads it: rows of cell text and the merged ranges.

use serde::{Deserialize, Serialize};

/// A rectangle of merged cells, zero-based and inclusive, in the sheet's row and column numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    pub top: usize,
    pub left: usize,
    pub bottom: usize,
    pub right: usize,
}

/// A sheet as read: rows of cell text and the merged ranges (none for CSV).
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub rows: Vec<Vec<String>>,
    pub merges: Vec<Merge>,
}

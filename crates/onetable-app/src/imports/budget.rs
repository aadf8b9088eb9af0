//! One budget for everything a request reads: several files, or a ZIP of forms, spend from the
//! same inflated bytes and cells. Counted per file, 24 small ZIP bombs in one clean-up each
//! stayed under the limit and together took the process down.

use super::read::Limits;

/// What a request may still spend reading files.
#[derive(Debug, Clone)]
pub struct Budget {
    limits: Limits,
    inflated: u64,
    cells: usize,
}

impl Budget {
    #[must_use]
    pub fn new(limits: Limits) -> Self {
        Self { limits, inflated: 0, cells: 0 }
    }

    /// The limits the next file is read under: what is left.
    #[must_use]
    pub fn left(&self) -> Limits {
        Limits {
            inflated_bytes: self.limits.inflated_bytes.saturating_sub(self.inflated),
            cells: self.limits.cells.saturating_sub(self.cells),
            ..self.limits
        }
    }

    /// The whole request's limits.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Bytes inflated (from an archive, or measuring a workbook's parts).
    pub fn spend_inflated(&mut self, bytes: u64) {
        self.inflated = self.inflated.saturating_add(bytes);
    }

    /// Non-empty cells read.
    pub fn spend_cells(&mut self, cells: usize) {
        self.cells = self.cells.saturating_add(cells);
    }

    /// Whether nothing is left to read another file with.
    #[must_use]
    pub fn spent(&self) -> bool {
        let left = self.left();
        left.inflated_bytes == 0 || left.cells == 0
    }

    /// Inflated bytes spent so far.
    #[must_use]
    pub fn inflated(&self) -> u64 {
        self.inflated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_spend_from_one_budget() {
        let mut budget = Budget::new(Limits { inflated_bytes: 100, cells: 10, ..Limits::default() });
        budget.spend_inflated(60);
        budget.spend_cells(4);
        assert_eq!((budget.left().inflated_bytes, budget.left().cells), (40, 6));
        budget.spend_inflated(60);
        assert_eq!(budget.left().inflated_bytes, 0);
    }
}

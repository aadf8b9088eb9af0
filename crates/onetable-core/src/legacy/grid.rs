//! A sheet seen through its merged ranges. A merged range is never copied into the cells it
//! spans: a 1.9 KB workbook can merge one long text over eight million cells, and copying it
//! would take gigabytes. Only the head of the sheet (where the title, notes and header are) is
//! laid out as a rectangle, of references to the written text; below it, a cell is looked up.

use super::sheet::{Merge, Sheet};

pub(super) struct Grid<'a> {
    rows: &'a [Vec<String>],
    /// The widest row's length.
    pub width: usize,
    /// The first rows, each as wide as the sheet; a merged cell holds its range's text.
    head: Vec<Vec<&'a str>>,
    /// Whether a head cell continues a merged range from the row above.
    from_above: Vec<Vec<bool>>,
    merges: &'a [Merge],
}

/// The text as written at (`r`, `c`), trimmed; empty beyond the row.
fn written(rows: &[Vec<String>], r: usize, c: usize) -> &str {
    rows.get(r).and_then(|row| row.get(c)).map_or("", |t| t.trim())
}

impl<'a> Grid<'a> {
    /// The sheet with its first `head_rows` rows laid out. Costs the head's area plus one step
    /// per merged range: a range overlapping one laid out before it (which Excel never writes)
    /// stops at the first cell already taken.
    pub fn new(sheet: &'a Sheet, head_rows: usize) -> Self {
        let rows = sheet.rows.as_slice();
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        let height = rows.len().min(head_rows);
        let mut head: Vec<Vec<&'a str>> =
            (0..height).map(|r| (0..width).map(|c| written(rows, r, c)).collect()).collect();
        let mut from_above = vec![vec![false; width]; height];
        let mut taken = vec![vec![false; width]; height];
        for m in sheet.merges.iter().filter(|m| m.top < height && m.left < width) {
            let text = written(rows, m.top, m.left);
            'range: for r in m.top..=m.bottom.min(height - 1) {
                for c in m.left..=m.right.min(width - 1) {
                    if taken[r][c] {
                        break 'range;
                    }
                    taken[r][c] = true;
                    head[r][c] = text;
                    from_above[r][c] = r > m.top;
                }
            }
        }
        Self { rows, width, head, from_above, merges: &sheet.merges }
    }

    pub fn height(&self) -> usize {
        self.rows.len()
    }

    /// Rows laid out (at most the head asked for).
    pub fn head_height(&self) -> usize {
        self.head.len()
    }

    /// A head cell's text.
    pub fn cell(&self, r: usize, c: usize) -> &'a str {
        self.head[r][c]
    }

    pub fn set(&mut self, r: usize, c: usize, text: &'a str) {
        self.head[r][c] = text;
    }

    pub fn continues_from_above(&self, r: usize, c: usize) -> bool {
        self.from_above[r][c]
    }

    /// The non-empty cells of row `r`: through merged ranges in the head, as written below it
    /// (a merged range's text is in its first row there, and once).
    pub fn row(&self, r: usize) -> Vec<&'a str> {
        match self.head.get(r) {
            Some(cells) => cells.iter().copied().filter(|c| !c.is_empty()).collect(),
            None => self.rows[r].iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect(),
        }
    }

    /// The row's cells, each text once, in order.
    pub fn distinct(&self, r: usize) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        for c in self.row(r) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Column `c` of the rows from `from` on, through the merged ranges that cover it (a
    /// township merged over its villages): one pass over the ranges of that column.
    pub fn column_from(&self, c: usize, from: usize) -> Vec<&'a str> {
        let mut ranges: Vec<&Merge> =
            self.merges.iter().filter(|m| m.left <= c && c <= m.right && m.bottom >= from).collect();
        ranges.sort_by_key(|m| (m.top, m.bottom));
        let mut next = 0;
        (from..self.height())
            .map(|r| {
                if r < self.head.len() {
                    return self.head[r][c];
                }
                let text = written(self.rows, r, c);
                while next < ranges.len() && ranges[next].bottom < r {
                    next += 1;
                }
                match ranges.get(next) {
                    Some(m) if text.is_empty() && m.top <= r => written(self.rows, m.top, m.left),
                    _ => text,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(top: usize, left: usize, bottom: usize, right: usize) -> Merge {
        Merge { top, left, bottom, right }
    }

    #[test]
    fn a_merge_over_millions_of_cells_costs_only_the_head() {
        let mut rows = vec![Vec::new(); 8000];
        rows[0] = vec!["长".repeat(1000)];
        rows[7999] = vec![String::new(); 1000];
        rows[7999][999] = "x".to_owned();
        let sheet = Sheet { rows, merges: vec![merge(0, 0, 7999, 999)] };
        let grid = Grid::new(&sheet, 35);
        assert_eq!((grid.head_height(), grid.width), (35, 1000));
        assert_eq!(grid.cell(34, 999).chars().count(), 1000);
        assert!(grid.continues_from_above(34, 999));
        assert_eq!(grid.row(7999), vec!["x"]);
        let column = grid.column_from(0, 40);
        assert_eq!(column.len(), 7960);
        assert!(column.iter().all(|t| t.chars().count() == 1000));
    }

    #[test]
    fn overlapping_ranges_keep_the_first() {
        let rows = vec![vec!["a".to_owned(), "b".to_owned(), String::new()], vec![String::new(); 3]];
        let sheet = Sheet { rows, merges: vec![merge(0, 0, 1, 1), merge(0, 1, 0, 2)] };
        let grid = Grid::new(&sheet, 35);
        assert_eq!(grid.row(0), vec!["a", "a"]);
        assert_eq!(grid.row(1), vec!["a", "a"]);
    }

    #[test]
    fn a_label_merged_over_rows_below_the_head_is_read_through() {
        let mut rows: Vec<Vec<String>> = (0..50).map(|i| vec![String::new(), i.to_string()]).collect();
        rows[40][0] = "坡坪镇".to_owned();
        let sheet = Sheet { rows, merges: vec![merge(40, 0, 44, 0)] };
        let grid = Grid::new(&sheet, 35);
        let column = grid.column_from(0, 38);
        assert_eq!(column, vec!["", "", "坡坪镇", "坡坪镇", "坡坪镇", "坡坪镇", "坡坪镇", "", "", "", "", ""]);
    }
}

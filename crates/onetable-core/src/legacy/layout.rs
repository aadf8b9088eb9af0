//! Where a legacy form's header is: title rows above it, note rows (填表说明, 单位：万元) around it,
//! one or several header rows (a merged "外出务工人数" over "省外" / "省内县外"), the row-label
//! columns (序号, 乡镇, 村名) and the data rows below.

use serde::Serialize;

use super::grid::Grid;
pub use super::labels::{label_kind, LabelColumn, LabelKind};
use super::rows::{decimal_places, is_column_numbering, is_form_mark, is_note, is_number, is_unit_row};
pub use super::sheet::{Merge, Sheet};
use super::units;

/// A data column's header as the form writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderColumn {
    /// Zero-based column of the sheet.
    pub index: usize,
    /// The header cells over it, top to bottom (a merged parent once).
    pub path: Vec<String>,
    /// The most decimal places its numbers have in the data rows (none without a number).
    pub decimals: Option<u8>,
    /// The unit a row of units under the header gives it (计量单位 | 户 | 人 | 万元).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_row: Option<String>,
}

impl HeaderColumn {
    /// The header as written, its levels joined by " / ".
    #[must_use]
    pub fn written(&self) -> String {
        self.path.join(" / ")
    }
}

/// The parts of a form the analyzer found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    pub title_rows: Vec<String>,
    pub note_rows: Vec<String>,
    /// Units the note rows state (单位：万元), in order.
    pub note_units: Vec<String>,
    /// Zero-based sheet rows of the header, first and last.
    pub header_rows: (usize, usize),
    pub label_columns: Vec<LabelColumn>,
    pub columns: Vec<HeaderColumn>,
    /// The row labels of the data rows (the village column, else the first label column), the
    /// first [`MAX_ROW_LABELS`].
    pub row_labels: Vec<String>,
    /// Data rows with a label, all of them.
    pub data_rows: usize,
}

/// Why a sheet has no header to analyze.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutProblem {
    Empty,
    NoHeader,
    TooManyColumns { max: usize, found: usize },
    CellTooLong { max: usize, row: usize, column: usize },
}

impl std::fmt::Display for LayoutProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("工作表是空的，没有可分析的表头"),
            Self::NoHeader => f.write_str("没有找到表头：表格至少应有一行列名（如“村名、户籍人口、耕地面积”）"),
            Self::TooManyColumns { max, found } => {
                write!(f, "表格有 {found} 列，超过可分析的 {max} 列；请删去空白或无关的列")
            }
            Self::CellTooLong { max, row, column } => {
                write!(f, "第 {row} 行第 {column} 列的表头超过 {max} 个字，不像列名；请检查表格")
            }
        }
    }
}

/// Columns a form may have: the widest real forms have a few hundred.
pub const MAX_COLUMNS: usize = 1000;
/// Characters a header cell may have.
pub const MAX_HEADER_CHARS: usize = 200;
/// Rows a header may span.
const MAX_HEADER_ROWS: usize = 5;
/// Rows looked at before giving up on finding a header.
const MAX_LEADING_ROWS: usize = 30;
/// Rows the analyzer lays out with their merged ranges: where a header can be.
const HEAD_ROWS: usize = MAX_LEADING_ROWS + MAX_HEADER_ROWS;
/// Data rows whose labels an analysis lists (all are counted).
pub const MAX_ROW_LABELS: usize = 5000;
/// Note rows an analysis keeps.
const MAX_NOTE_ROWS: usize = 50;

/// The header rows of the sheet as written (the width of the sheet, merged cells empty but their
/// top-left) and the merged ranges within them, in the block's row numbers: what a filled-in copy
/// of the form repeats.
#[must_use]
pub fn header_block(sheet: &Sheet, layout: &Layout) -> (Vec<Vec<String>>, Vec<Merge>) {
    let (start, end) = layout.header_rows;
    let width = sheet.rows.iter().skip(start).take(end + 1 - start).map(Vec::len).max().unwrap_or(0);
    let rows = (start..=end)
        .map(|r| {
            let mut row: Vec<String> =
                sheet.rows.get(r).map(|cells| cells.iter().map(|c| c.trim().to_owned()).collect()).unwrap_or_default();
            row.resize(width, String::new());
            row
        })
        .collect();
    let within = sheet.merges.iter().filter(|m| m.top >= start && m.bottom <= end && m.left < width).map(|m| Merge {
        top: m.top - start,
        left: m.left,
        bottom: m.bottom - start,
        right: m.right.min(width - 1),
    });
    let (merges, _) = tidy_merges(within, end + 1 - start, width);
    (rows, merges)
}

/// Ranges a header may carry: more than a header of 5 rows × 1,000 columns can hold.
const MAX_HEADER_MERGES: usize = 10_000;

/// The merged ranges worth keeping of a block `rows` high and `width` wide: those inside it that
/// span more than one cell (a one-cell "merge" is no merge, and Excel writers refuse it), each
/// cell in one range at most (a range overlapping one before it is left out, and the flag says
/// so; Excel reports such a file as damaged). Costs the block's area and the ranges' cells, for
/// at most [`MAX_HEADER_MERGES`] ranges.
pub fn tidy_merges(merges: impl IntoIterator<Item = Merge>, rows: usize, width: usize) -> (Vec<Merge>, bool) {
    let mut taken = vec![vec![false; width]; rows];
    let (mut kept, mut overlapping) = (Vec::new(), false);
    for m in merges.into_iter().take(MAX_HEADER_MERGES) {
        let inside = m.top <= m.bottom && m.left <= m.right && m.bottom < rows && m.right < width;
        if !inside || (m.top == m.bottom && m.left == m.right) {
            continue;
        }
        let free = (m.top..=m.bottom).all(|r| (m.left..=m.right).all(|c| !taken[r][c]));
        if !free {
            overlapping = true;
            continue;
        }
        for row in &mut taken[m.top..=m.bottom] {
            row[m.left..=m.right].fill(true);
        }
        kept.push(m);
    }
    (kept, overlapping)
}

/// Finds the title, notes, header and data rows of the sheet.
///
/// # Errors
/// When the sheet is empty, has no header, or is too wide or its header too long to be a form.
pub fn find(sheet: &Sheet) -> Result<Layout, LayoutProblem> {
    let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
    if width > MAX_COLUMNS {
        return Err(LayoutProblem::TooManyColumns { max: MAX_COLUMNS, found: width });
    }
    if sheet.rows.iter().all(|r| r.iter().all(|c| c.trim().is_empty())) {
        return Err(LayoutProblem::Empty);
    }
    let mut grid = Grid::new(sheet, HEAD_ROWS);
    let (mut title_rows, mut note_rows, mut note_units) = (Vec::new(), Vec::new(), Vec::new());
    let mut start = None;
    for r in 0..grid.head_height().min(MAX_LEADING_ROWS) {
        check_lengths(&grid, r)?;
        // A statistical form's top right carries its 表号 / 制表机关 / 批准文号 / 有效期至 block,
        // often on the title's rows: those cells are neither title nor header.
        let (marks, distinct): (Vec<&str>, Vec<&str>) = grid.distinct(r).into_iter().partition(|c| is_form_mark(c));
        note_rows.extend(marks.iter().take(MAX_NOTE_ROWS.saturating_sub(note_rows.len())).map(|m| (*m).to_owned()));
        if distinct.is_empty() {
            continue;
        }
        if distinct.iter().any(|c| is_note(c)) && distinct.len() <= 4 {
            let text = distinct.join("  ");
            note_units.extend(units::stated_in_note(&text));
            note_rows.push(text);
        } else if distinct.len() == 1 && !is_number(distinct[0]) {
            title_rows.push(distinct[0].to_owned());
        } else {
            start = Some(r);
            break;
        }
    }
    let start = start.ok_or(LayoutProblem::NoHeader)?;
    let label_columns = labels(&grid, start);
    let key = label_columns
        .iter()
        .find(|l| l.kind == LabelKind::Village)
        .or_else(|| label_columns.first())
        .map_or(0, |l| l.index);
    let mut end = start;
    while end + 1 < grid.head_height() && end + 1 - start < MAX_HEADER_ROWS && continues_header(&grid, end + 1, key) {
        end += 1;
        check_lengths(&grid, end)?;
    }
    let label_set: Vec<usize> = label_columns.iter().map(|l| l.index).collect();
    fill_parents(&mut grid, start, end, &label_set);
    let mut columns = (0..grid.width)
        .filter(|c| !label_set.contains(c))
        .filter_map(|c| {
            let mut path: Vec<String> = Vec::new();
            for r in start..=end {
                let text = grid.cell(r, c);
                if !text.is_empty() && path.last().map(String::as_str) != Some(text) {
                    path.push(text.to_owned());
                }
            }
            (!path.is_empty()).then_some(HeaderColumn { index: c, path, decimals: None, unit_row: None })
        })
        .collect::<Vec<HeaderColumn>>();
    if end + 1 < grid.head_height() && is_unit_row(&grid.row(end + 1)) {
        for column in &mut columns {
            let text = grid.cell(end + 1, column.index).trim();
            column.unit_row = units::is_unit(text).then(|| units::canonical(text));
        }
    }
    let (mut row_labels, mut data_rows) = (Vec::new(), 0);
    for (r, label) in (end + 1..grid.height()).zip(grid.column_from(key, end + 1)) {
        let cells = grid.row(r);
        if cells.is_empty() || is_column_numbering(&cells) || is_unit_row(&cells) {
            continue;
        }
        // A note under the data is often one cell merged across the sheet: its copies are one.
        if cells.iter().any(|c| is_note(c)) && grid.distinct(r).len() <= 4 {
            if note_rows.len() < MAX_NOTE_ROWS {
                let text = grid.distinct(r).join("  ");
                note_units.extend(units::stated_in_note(&text));
                note_rows.push(text);
            }
            continue;
        }
        if !label.is_empty() {
            if let Some(cells) = sheet.rows.get(r) {
                for column in &mut columns {
                    let places = cells.get(column.index).and_then(|t| decimal_places(t));
                    column.decimals = column.decimals.max(places);
                }
            }
            data_rows += 1;
            if row_labels.len() < MAX_ROW_LABELS {
                row_labels.push(label.to_owned());
            }
        }
    }
    Ok(Layout {
        title_rows,
        note_rows,
        note_units,
        header_rows: (start, end),
        label_columns,
        columns,
        row_labels,
        data_rows,
    })
}

fn check_lengths(grid: &Grid, r: usize) -> Result<(), LayoutProblem> {
    for c in 0..grid.width {
        let text = grid.cell(r, c);
        if text.len() > MAX_HEADER_CHARS && text.chars().count() > MAX_HEADER_CHARS {
            return Err(LayoutProblem::CellTooLong { max: MAX_HEADER_CHARS, row: r + 1, column: c + 1 });
        }
    }
    Ok(())
}

fn labels(grid: &Grid, start: usize) -> Vec<LabelColumn> {
    (0..grid.width)
        .filter_map(|c| {
            let header = grid.cell(start, c);
            label_kind(header).map(|kind| LabelColumn { index: c, header: header.to_owned(), kind })
        })
        .collect()
}

/// Whether row `r` is one more header row: text only (no numbers outside merged ranges), not a
/// column numbering, and nothing new in the row-label column (a data row names its village there).
fn continues_header(grid: &Grid, r: usize, key: usize) -> bool {
    let cells = grid.row(r);
    // A header cell merged down from above (联系电话 over three rows) is no note of this row.
    let written_here = (0..grid.width).filter(|c| !grid.continues_from_above(r, *c)).map(|c| grid.cell(r, c));
    let note = written_here.clone().any(is_note);
    if cells.is_empty() || is_column_numbering(&cells) || is_unit_row(&cells) || note {
        return false;
    }
    let key_cell = grid.cell(r, key);
    let key_ok = key_cell.is_empty() || grid.continues_from_above(r, key) || key_cell == grid.cell(r - 1, key);
    let texts_only = (0..grid.width).all(|c| grid.continues_from_above(r, c) || !is_number(grid.cell(r, c)));
    key_ok && texts_only
}

/// Without merged ranges (CSV, or a form whose author centred the text instead of merging), a
/// parent header is written once, over its first sub-column: carry it right over the empty
/// cells whose column has a header below.
/// A row-label column (行政村名 over three rows) is nobody's parent.
fn fill_parents(grid: &mut Grid, start: usize, end: usize, labels: &[usize]) {
    for r in start..end {
        let mut parent: Option<&str> = None;
        for c in 0..grid.width {
            let has_child = (r + 1..=end).any(|below| !grid.cell(below, c).is_empty());
            let text = grid.cell(r, c);
            if labels.contains(&c) {
                parent = None;
            } else if !text.is_empty() {
                parent = has_child.then_some(text);
            } else if let (Some(p), true) = (parent, has_child) {
                grid.set(r, c, p);
            } else {
                parent = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]], merges: &[Merge]) -> Sheet {
        Sheet {
            rows: rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect(),
            merges: merges.to_vec(),
        }
    }

    #[test]
    fn a_merged_parent_over_sub_columns() {
        let s = sheet(
            &[
                &["2025年劳动力转移就业情况统计表", "", "", "", ""],
                &["填报单位：", "", "", "单位：人", ""],
                &["序号", "村名", "劳动力人数", "外出务工人数", ""],
                &["", "", "", "省外", "省内县外"],
                &["1", "纳晓村", "820", "210", "95"],
                &["填表人：张三", "", "", "", ""],
            ],
            &[
                Merge { top: 0, left: 0, bottom: 0, right: 4 },
                Merge { top: 2, left: 0, bottom: 3, right: 0 },
                Merge { top: 2, left: 1, bottom: 3, right: 1 },
                Merge { top: 2, left: 2, bottom: 3, right: 2 },
                Merge { top: 2, left: 3, bottom: 2, right: 4 },
            ],
        );
        let layout = find(&s).unwrap();
        assert_eq!(layout.title_rows, vec!["2025年劳动力转移就业情况统计表"]);
        assert_eq!(layout.note_units, vec!["人"]);
        assert_eq!(layout.header_rows, (2, 3));
        let kinds: Vec<LabelKind> = layout.label_columns.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, vec![LabelKind::Sequence, LabelKind::Village]);
        let written: Vec<String> = layout.columns.iter().map(HeaderColumn::written).collect();
        assert_eq!(written, vec!["劳动力人数", "外出务工人数 / 省外", "外出务工人数 / 省内县外"]);
        assert_eq!(layout.row_labels, vec!["纳晓村"]);
    }

    #[test]
    fn without_merges_a_parent_is_carried_right() {
        let s = sheet(
            &[
                &["村（社区）", "户籍人口", "", "", "耕地面积（亩）"],
                &["", "合计", "男", "女", ""],
                &["甲", "1", "2", "3", "4"],
                &["坡坪村", "1200", "610", "590", "3000"],
            ],
            &[],
        );
        let layout = find(&s).unwrap();
        let written: Vec<String> = layout.columns.iter().map(HeaderColumn::written).collect();
        assert_eq!(written, vec!["户籍人口 / 合计", "户籍人口 / 男", "户籍人口 / 女", "耕地面积（亩）"]);
        assert_eq!(layout.row_labels, vec!["坡坪村"]);
    }

    #[test]
    fn not_a_form() {
        assert_eq!(find(&sheet(&[&["", ""]], &[])), Err(LayoutProblem::Empty));
        assert_eq!(find(&sheet(&[&["只有一个标题"]], &[])), Err(LayoutProblem::NoHeader));
        let wide = Sheet { rows: vec![vec!["x".to_owned(); MAX_COLUMNS + 1]], merges: vec![] };
        assert!(matches!(find(&wide), Err(LayoutProblem::TooManyColumns { .. })));
        let long = "长".repeat(MAX_HEADER_CHARS + 1);
        assert!(matches!(find(&sheet(&[&["村名", &long]], &[])), Err(LayoutProblem::CellTooLong { .. })));
    }
}

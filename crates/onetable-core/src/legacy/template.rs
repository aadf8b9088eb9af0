//! A report template (报表模板): a department's own form kept to be filled in from the registry —
//! its title and note rows, its header as written, its row labels and, per data column, the
//! indicator and the factor from the form's unit to the registry's. Checked here; filled above.

use serde::{Deserialize, Serialize};

use super::layout::{tidy_merges, LabelKind, Merge, MAX_COLUMNS};

/// What the form's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowLevel {
    /// One row per village (a 小计 row after each township's when the form has a 乡镇 column).
    Village,
    /// One row per township.
    Township,
}

/// A row-label column of the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateLabel {
    pub index: usize,
    pub kind: LabelKind,
}

/// A data column of the template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateColumn {
    pub index: usize,
    pub header: String,
    /// None: a column the registry has nothing for, left blank.
    pub code: Option<String>,
    /// The form's unit.
    pub unit: Option<String>,
    /// A value in the form's unit times this is the registry's; filling divides by it.
    pub factor: f64,
    /// Decimal places the form writes the column with (from its example rows); none: the
    /// indicator's own.
    #[serde(default)]
    pub decimals: Option<u8>,
}

/// The whole template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub title_rows: Vec<String>,
    pub note_rows: Vec<String>,
    /// The header rows as written, each as wide as the form.
    pub header: Vec<Vec<String>>,
    /// Merged ranges within the header, in its row numbers.
    pub merges: Vec<Merge>,
    pub labels: Vec<TemplateLabel>,
    pub columns: Vec<TemplateColumn>,
    pub rows: RowLevel,
}

/// Header rows a template may have, and the longest text of a cell.
pub const MAX_HEADER_ROWS: usize = 5;
pub const MAX_CELL_CHARS: usize = 200;

impl Template {
    /// The form's width: its widest header row, label or data column.
    #[must_use]
    pub fn width(&self) -> usize {
        let header = self.header.iter().map(Vec::len).max().unwrap_or(0);
        let used = self.labels.iter().map(|l| l.index).chain(self.columns.iter().map(|c| c.index)).max();
        header.max(used.map_or(0, |i| i + 1))
    }

    /// The indicators it needs, in column order, each once.
    #[must_use]
    pub fn codes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for code in self.columns.iter().filter_map(|c| c.code.clone()) {
            if !out.contains(&code) {
                out.push(code);
            }
        }
        out
    }

    /// The merged ranges a spreadsheet can hold: one-cell ranges dropped (an overlap is one of
    /// [`Template::problems`]; a template stored before that check keeps its first range).
    #[must_use]
    pub fn header_merges(&self) -> Vec<Merge> {
        tidy_merges(self.merges.iter().copied(), self.header.len(), self.width()).0
    }

    /// What is wrong with its shape (the indicators are the registry's to check): pairs of the
    /// field and a Chinese message.
    #[must_use]
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.columns.is_empty() {
            out.push(("columns".to_owned(), "模板至少要有一个数据列".to_owned()));
        }
        if self.header.is_empty() || self.header.len() > MAX_HEADER_ROWS {
            out.push(("header_cells".to_owned(), format!("表头应有 1 至 {MAX_HEADER_ROWS} 行")));
        }
        if self.width() > MAX_COLUMNS {
            out.push(("columns".to_owned(), format!("模板最多 {MAX_COLUMNS} 列")));
        }
        let texts = self.header.iter().flatten().chain(&self.title_rows).chain(&self.note_rows);
        if texts.into_iter().any(|t| t.chars().count() > MAX_CELL_CHARS) {
            out.push(("header_cells".to_owned(), format!("表头、标题或说明的单元格不能超过 {MAX_CELL_CHARS} 字")));
        }
        if self.title_rows.len() + self.note_rows.len() > 20 {
            out.push(("title_rows".to_owned(), "标题行和说明行合计不能超过 20 行".to_owned()));
        }
        let rows = self.header.len();
        if self
            .merges
            .iter()
            .any(|m| m.top > m.bottom || m.left > m.right || m.bottom >= rows || m.right >= self.width())
        {
            out.push(("header_merges".to_owned(), "合并单元格超出了表头".to_owned()));
        } else if tidy_merges(self.merges.iter().copied(), rows, self.width()).1 {
            out.push(("header_merges".to_owned(), "合并单元格相互重叠：每个单元格只能属于一个合并区域".to_owned()));
        }
        let mut used: Vec<usize> = Vec::new();
        for (i, index) in self.labels.iter().map(|l| l.index).chain(self.columns.iter().map(|c| c.index)).enumerate() {
            if used.contains(&index) {
                out.push(("columns".to_owned(), format!("第 {} 个列号重复", i + 1)));
            }
            used.push(index);
        }
        for (i, c) in self.columns.iter().enumerate() {
            if !(c.factor.is_finite() && c.factor > 0.0) {
                out.push((format!("columns[{i}].unit"), format!("第 {} 列的单位换算不正确", i + 1)));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> Template {
        Template {
            title_rows: vec!["村集体经济组织收益分配统计表".to_owned()],
            note_rows: vec!["单位：元".to_owned()],
            header: vec![vec!["村名".to_owned(), "总收入".to_owned(), "总支出".to_owned()]],
            merges: Vec::new(),
            labels: vec![TemplateLabel { index: 0, kind: LabelKind::Village }],
            columns: vec![
                TemplateColumn {
                    index: 1,
                    header: "总收入".to_owned(),
                    code: Some("A".to_owned()),
                    unit: None,
                    factor: 1.0,
                    decimals: None,
                },
                TemplateColumn {
                    index: 2,
                    header: "总支出".to_owned(),
                    code: Some("A".to_owned()),
                    unit: None,
                    factor: 1.0,
                    decimals: None,
                },
            ],
            rows: RowLevel::Village,
        }
    }

    #[test]
    fn a_sound_template_has_no_problems_and_needs_each_code_once() {
        let t = template();
        assert!(t.problems().is_empty(), "{:?}", t.problems());
        assert_eq!((t.width(), t.codes()), (3, vec!["A".to_owned()]));
    }

    #[test]
    fn shapes_refused() {
        let mut t = template();
        t.columns[1].index = 0;
        t.columns[0].factor = 0.0;
        t.merges.push(Merge { top: 0, left: 0, bottom: 3, right: 1 });
        let fields: Vec<String> = t.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec!["header_merges", "columns", "columns[0].unit"]);
    }
}

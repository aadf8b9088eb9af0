//! The analysis of a form as clients read it.

use onetable_core::legacy::{self, AnalyzedColumn, LabelKind, Merge, Reason, UnitSource};
use serde::Serialize;
use utoipa::ToSchema;

use super::templates::HeaderMerge;
use onetable_core::spreadsheet::column_letters as letter;

/// A column the form uses to name its rows (序号, 乡镇, 村名), not data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LabelColumn {
    /// Spreadsheet letter: `A`.
    pub column: String,
    pub header: String,
    /// `sequence`, `region_code`, `county`, `township`, `village` or `remark`.
    #[schema(value_type = String, example = "village")]
    pub kind: LabelKind,
}

/// The indicator a column maps to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ColumnMatch {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// A derived indicator (computed from others; 本年收益 is income minus expense).
    pub derived: bool,
    /// 0–1.
    pub confidence: f64,
    /// `alias`, `exact_name`, `normalised_name` or `similarity`.
    #[schema(value_type = String, example = "exact_name")]
    pub reason: Reason,
    /// A value in the form's unit times this is one in the registry's (元 → 万元: 0.0001).
    pub factor: f64,
}

/// An indicator a column with no match may mean.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchCandidate {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// Character similarity, 0–1.
    pub score: f64,
}

/// One data column of the form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormColumn {
    /// Spreadsheet letter: `D`.
    pub column: String,
    /// The header as written, levels joined by " / ": `外出务工人数 / 省外`.
    pub header: String,
    /// The name read from it: `户籍人口 / 合计` is `户籍人口`.
    pub name: String,
    /// The unit the form states for it.
    pub unit: Option<String>,
    /// `header` (耕地面积（亩）), `note` (a 单位：万元 row) or `unit_row` (a row of units under the header).
    #[schema(value_type = Option<String>)]
    pub unit_source: Option<UnitSource>,
    /// `matched` or `new` (the registry has nothing for it yet).
    pub status: String,
    pub matched: Option<ColumnMatch>,
    /// Up to three, for a column with no match.
    pub candidates: Vec<MatchCandidate>,
    /// The most decimal places its numbers have in the form's data rows: a filled copy writes
    /// the column so.
    pub decimals: Option<u8>,
}

/// How much of the form the registry covers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormCoverage {
    pub columns: usize,
    pub matched: usize,
    pub new: usize,
    /// matched / columns, 0–1.
    pub share: f64,
}

/// What the analyzer read in a form. Nothing is stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormAnalysis {
    pub file_name: Option<String>,
    /// The first title row (the form's name), if any.
    pub title: Option<String>,
    pub title_rows: Vec<String>,
    /// 填表说明, 单位：…, 填表人 rows.
    pub note_rows: Vec<String>,
    /// Sheet rows (1-based) of the header's first and last row.
    pub header_rows: [usize; 2],
    /// The header rows as written, as wide as the sheet (a merged range's text in its first cell):
    /// what a report template repeats.
    pub header_cells: Vec<Vec<String>>,
    /// Merged ranges within the header, zero-based in its rows.
    pub header_merges: Vec<HeaderMerge>,
    pub label_columns: Vec<LabelColumn>,
    /// The data rows' labels (village names, or townships), in order: the first 5,000.
    pub row_labels: Vec<String>,
    /// Data rows with a label, all of them.
    pub data_rows: usize,
    pub columns: Vec<FormColumn>,
    pub coverage: FormCoverage,
    /// The codes the matched columns need, in form order: what a data request asks for.
    pub indicators: Vec<String>,
}

fn column_view(c: AnalyzedColumn) -> FormColumn {
    FormColumn {
        column: letter(c.index),
        header: c.header,
        name: c.name,
        unit: c.unit,
        unit_source: c.unit_source,
        status: (if c.matched.is_some() { "matched" } else { "new" }).to_owned(),
        matched: c.matched.map(|m| ColumnMatch {
            code: m.code,
            name: m.name,
            unit: m.unit,
            derived: m.derived,
            confidence: m.confidence,
            reason: m.reason,
            factor: m.factor,
        }),
        candidates: c
            .candidates
            .into_iter()
            .map(|k| MatchCandidate { code: k.code, name: k.name, unit: k.unit, score: k.score })
            .collect(),
        decimals: c.decimals,
    }
}

impl FormAnalysis {
    #[must_use]
    pub fn new(file_name: Option<String>, analysis: legacy::Analysis, header: (Vec<Vec<String>>, Vec<Merge>)) -> Self {
        let layout = analysis.layout;
        let (header_cells, merges) = header;
        let mut indicators: Vec<String> = Vec::new();
        for code in analysis.columns.iter().filter_map(|c| c.matched.as_ref().map(|m| m.code.clone())) {
            if !indicators.contains(&code) {
                indicators.push(code);
            }
        }
        Self {
            file_name,
            title: layout.title_rows.first().cloned(),
            title_rows: layout.title_rows,
            note_rows: layout.note_rows,
            header_rows: [layout.header_rows.0 + 1, layout.header_rows.1 + 1],
            header_cells,
            header_merges: merges
                .into_iter()
                .map(|m| HeaderMerge { top: m.top, left: m.left, bottom: m.bottom, right: m.right })
                .collect(),
            label_columns: layout
                .label_columns
                .into_iter()
                .map(|l| LabelColumn { column: letter(l.index), header: l.header, kind: l.kind })
                .collect(),
            row_labels: layout.row_labels,
            data_rows: layout.data_rows,
            columns: analysis.columns.into_iter().map(column_view).collect(),
            coverage: FormCoverage {
                columns: analysis.coverage.columns,
                matched: analysis.coverage.matched,
                new: analysis.coverage.new,
                share: (analysis.coverage.share * 1000.0).round() / 1000.0,
            },
            indicators,
        }
    }
}

//! Legacy forms (报表清理): a department's old Excel form read as a header over data columns, each
//! column mapped to a registry indicator or reported as new. Pure: the sheet and the registry come
//! in, the analysis goes out; reading files and storing confirmations happen above.

pub mod cleanup;
pub mod context;
mod grid;
mod known;
mod labels;
pub mod layout;
pub mod matching;
pub mod naming;
mod rows;
mod sheet;
pub mod template;
pub mod units;

use serde::Serialize;

pub use context::Context;
pub use layout::{HeaderColumn, LabelColumn, LabelKind, Layout, LayoutProblem, Merge, Sheet};
pub use matching::{Candidate, Column, Found, Known, Reason};

/// Where a column's unit was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitSource {
    /// In the header: 耕地面积（亩）.
    Header,
    /// In a note row: 单位：万元.
    Note,
    /// In a row of units under the header: 计量单位 | 户 | 万元.
    UnitRow,
}

/// One data column of the form and what the registry has for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyzedColumn {
    /// Zero-based column of the sheet.
    pub index: usize,
    /// The header as written, levels joined by " / ".
    pub header: String,
    /// The header cells, top to bottom, units removed.
    pub path: Vec<String>,
    /// The name the analyzer read: 户籍人口 / 合计 is 户籍人口.
    pub name: String,
    pub unit: Option<String>,
    pub unit_source: Option<UnitSource>,
    /// The indicator, or none: a need the registry does not have yet.
    pub matched: Option<Found>,
    /// Up to three indicators it may mean, when there is no match.
    pub candidates: Vec<Candidate>,
    /// The most decimal places its numbers have in the form's data rows.
    pub decimals: Option<u8>,
}

/// How much of the form the registry already covers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coverage {
    pub columns: usize,
    pub matched: usize,
    pub new: usize,
    /// matched / columns, 0–1.
    pub share: f64,
}

/// The whole analysis of one form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub layout: Layout,
    pub columns: Vec<AnalyzedColumn>,
    pub coverage: Coverage,
}

/// The unit a column states in its header cells (the lowest that states one) and the cells
/// without it.
fn header_unit(path: &[String]) -> (Vec<String>, Option<String>) {
    let mut unit = None;
    let parts = path
        .iter()
        .rev()
        .map(|part| {
            let (name, found) = units::split_unit(part);
            if unit.is_none() {
                unit = found;
            }
            name
        })
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .filter(|p| !p.is_empty())
        .collect();
    (parts, unit)
}

/// The unit a note row gives a column without one: the note's unit of the kind the name implies
/// (金额单位：万元 for a 收入 column), or the note's only unit for a name that implies none.
fn note_unit(name: &str, note_units: &[String]) -> Option<String> {
    match units::implied_kind(name) {
        Some(kind) => note_units.iter().find(|u| units::kind_of(u) == Some(kind)).cloned(),
        None if note_units.len() == 1 => note_units.first().cloned(),
        None => None,
    }
}

fn analyze_column(
    column: &HeaderColumn,
    note_units: &[String],
    registry: &[Known],
    context: &Context,
) -> AnalyzedColumn {
    let mut yes_no = false;
    let written: Vec<String> = column
        .path
        .iter()
        .map(|cell| match naming::without_yes_no(cell) {
            Some(plain) => {
                yes_no = true;
                plain
            }
            None => cell.clone(),
        })
        .collect();
    let (path, stated) = header_unit(&written);
    // A field code (B4) says nothing of the column; a grouping parent ((一)基本情况) neither,
    // unless it is all there is.
    let mut path: Vec<String> = path.into_iter().filter(|p| !naming::is_field_code(p)).collect();
    if path.len() > 1 {
        let leaf = path.pop().unwrap_or_default();
        path.retain(|p| !naming::is_section(p));
        path.push(leaf);
    }
    let name = naming::cleaned(&path);
    let (unit, unit_source) = match (stated, &column.unit_row) {
        (Some(u), _) => (Some(u), Some(UnitSource::Header)),
        (None, Some(u)) => (Some(u.clone()), Some(UnitSource::UnitRow)),
        (None, None) => match note_unit(&name, note_units) {
            Some(u) => (Some(u), Some(UnitSource::Note)),
            None => (None, None),
        },
    };
    let (mut matched, mut candidates) =
        matching::match_in(&path, Column { unit: unit.as_deref(), yes_no }, registry, context);
    let (mut unit, mut unit_source) = (unit, unit_source);
    // A form-wide 单位 does not bind a column whose name says otherwise (个 under 单位：万元).
    if matched.is_none() && unit_source == Some(UnitSource::Note) {
        let (again, other) = matching::match_in(&path, Column { unit: None, yes_no }, registry, context);
        if again.is_some() {
            (matched, candidates, unit, unit_source) = (again, other, None, None);
        }
    }
    AnalyzedColumn {
        index: column.index,
        header: column.written(),
        path,
        name,
        unit,
        unit_source,
        matched,
        candidates,
        decimals: column.decimals,
    }
}

/// One form asks for an indicator once (or once a period: 村集体经济收入 / 2013年 … 2017年 are
/// equally sure). Where a column names it outright (户籍人口数) and another only reads as it
/// (人口总数), the other is something else: it loses the match and keeps it as a candidate.
fn keep_the_surest(columns: &mut [AnalyzedColumn]) {
    let mut surest: std::collections::HashMap<String, f64> = std::collections::HashMap::new();
    for found in columns.iter().filter_map(|c| c.matched.as_ref()) {
        let best = surest.entry(found.code.clone()).or_insert(0.0);
        *best = best.max(found.confidence);
    }
    for column in columns.iter_mut() {
        if column.matched.as_ref().is_some_and(|m| m.confidence < surest[&m.code]) {
            if let Some(found) = column.matched.take() {
                let candidate =
                    Candidate { code: found.code, name: found.name, unit: found.unit, score: found.confidence };
                column.candidates.insert(0, candidate);
                column.candidates.truncate(3);
            }
        }
    }
}

/// Reads the sheet's layout and maps every data column.
///
/// # Errors
/// When the sheet has no header to analyze (empty, too wide, a header cell too long).
pub fn analyze(sheet: &Sheet, registry: &[Known]) -> Result<Analysis, LayoutProblem> {
    let layout = layout::find(sheet)?;
    let context = Context::new(&layout.title_rows, registry);
    let mut columns: Vec<AnalyzedColumn> =
        layout.columns.iter().map(|c| analyze_column(c, &layout.note_units, registry, &context)).collect();
    keep_the_surest(&mut columns);
    let matched = columns.iter().filter(|c| c.matched.is_some()).count();
    #[allow(clippy::cast_precision_loss)]
    let share = if columns.is_empty() { 0.0 } else { matched as f64 / columns.len() as f64 };
    let coverage = Coverage { columns: columns.len(), matched, new: columns.len() - matched, share };
    Ok(Analysis { layout, columns, coverage })
}

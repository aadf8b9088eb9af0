//! The in-memory value cube (数据立方): one period, one row per village (sorted by code, so every
//! region's villages are one contiguous range), a column per indicator plus each village's ancestor
//! at every level. Columns are cut into blocks of [`BLOCK_ROWS`] rows; a change rebuilds only the
//! blocks it touches, so an approval shows without rebuilding the cube.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use onetable_core::{RegionCode, RegionLevel};
use polars::prelude::{ChunkApply, Column, DataFrame, IntoColumn, IntoSeries, NamedFrom, PolarsResult, Series};

use crate::measure::{Measure, MeasureKind};

mod snapshot;

pub use snapshot::{SnapshotFiles, SnapshotFrames};

/// Rows per block: small enough that rebuilding one on a change is cheap, large enough that a
/// national column has few chunks.
pub const BLOCK_ROWS: usize = 16_384;

/// An entry's state as the cube filters on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(i32)]
pub enum EntryState {
    /// No entry, a draft, or returned for correction.
    Open = 0,
    Submitted = 1,
    Approved = 2,
}

impl EntryState {
    #[must_use]
    pub fn from_status(status: &str) -> Self {
        match status.parse::<onetable_core::workflow::EntryStatus>() {
            Ok(onetable_core::workflow::EntryStatus::Submitted) => Self::Submitted,
            Ok(onetable_core::workflow::EntryStatus::Approved) => Self::Approved,
            _ => Self::Open,
        }
    }
}

pub const CODE: &str = "code";
pub const STATUS: &str = "status";
pub const UPDATED: &str = "updated";

/// The column holding each village's ancestor at `level` (the village's own code for villages).
#[must_use]
pub fn level_column(level: RegionLevel) -> &'static str {
    match level {
        RegionLevel::Province => "province",
        RegionLevel::Prefecture => "prefecture",
        RegionLevel::County => "county",
        RegionLevel::Township => "township",
        RegionLevel::Village => CODE,
    }
}

const ANCESTOR_LEVELS: [RegionLevel; 4] =
    [RegionLevel::Province, RegionLevel::Prefecture, RegionLevel::County, RegionLevel::Township];

/// One village's entry for the cube's period: its state and every stored value (absent = null).
#[derive(Debug, Clone)]
pub struct VillageEntry {
    pub code: RegionCode,
    pub state: EntryState,
    /// When the entry last changed, in milliseconds since the epoch.
    pub updated_ms: i64,
    /// (indicator code, stored text).
    pub values: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CubeError {
    #[error("village {0} is not in the cube")]
    UnknownVillage(RegionCode),
    #[error(transparent)]
    Polars(#[from] polars::error::PolarsError),
}

enum Raw {
    Number(Vec<Option<f64>>),
    Boolean(Vec<Option<bool>>),
    Text(Vec<Option<String>>),
}

impl Raw {
    fn new(kind: MeasureKind, len: usize) -> Self {
        match kind {
            MeasureKind::Integer | MeasureKind::Decimal => Self::Number(vec![None; len]),
            MeasureKind::Boolean => Self::Boolean(vec![None; len]),
            MeasureKind::Text => Self::Text(vec![None; len]),
        }
    }

    fn from_series(series: &Series) -> PolarsResult<Self> {
        Ok(match series.dtype() {
            polars::prelude::DataType::Float64 => Self::Number(series.f64()?.iter().collect()),
            polars::prelude::DataType::Boolean => Self::Boolean(series.bool()?.iter().collect()),
            _ => Self::Text(series.str()?.iter().map(|v| v.map(str::to_owned)).collect()),
        })
    }

    fn set(&mut self, row: usize, text: Option<&str>) {
        match self {
            Self::Number(v) => v[row] = text.and_then(|t| t.parse().ok()),
            Self::Boolean(v) => v[row] = text.map(|t| t == "true"),
            Self::Text(v) => v[row] = text.map(str::to_owned),
        }
    }

    fn series(&self, name: &str, rows: Range<usize>) -> Series {
        match self {
            Self::Number(v) => Series::new(name.into(), &v[rows]),
            Self::Boolean(v) => Series::new(name.into(), &v[rows]),
            Self::Text(v) => Series::new(name.into(), v[rows].to_vec()),
        }
    }
}

/// Fills a cube from the store: villages first, then entries and values in any order.
pub struct CubeBuilder {
    period: String,
    measures: Vec<Measure>,
    codes: Vec<u64>,
    row_of: HashMap<u64, usize>,
    names: HashMap<u64, String>,
    states: Vec<i32>,
    updated: Vec<i64>,
    raw: HashMap<String, Raw>,
}

impl CubeBuilder {
    /// `villages` need not be sorted; `names` should name them and all their ancestors.
    #[must_use]
    pub fn new(
        period: &str,
        measures: Vec<Measure>,
        mut villages: Vec<RegionCode>,
        names: HashMap<u64, String>,
    ) -> Self {
        villages.sort_unstable();
        villages.dedup();
        let codes: Vec<u64> = villages.iter().map(|c| c.number()).collect();
        let row_of = codes.iter().enumerate().map(|(row, code)| (*code, row)).collect();
        let raw = measures
            .iter()
            .filter(|m| !m.is_derived())
            .map(|m| (m.code.clone(), Raw::new(m.kind, codes.len())))
            .collect();
        Self {
            period: period.to_owned(),
            measures,
            states: vec![EntryState::Open as i32; codes.len()],
            updated: vec![0; codes.len()],
            codes,
            row_of,
            names,
            raw,
        }
    }

    /// Records a village's entry state; unknown villages are ignored (they are not expected to report).
    pub fn entry(&mut self, village: u64, state: EntryState, updated_ms: i64) {
        if let Some(&row) = self.row_of.get(&village) {
            self.states[row] = state as i32;
            self.updated[row] = updated_ms;
        }
    }

    /// Records one stored value; unknown villages and indicators are ignored.
    pub fn value(&mut self, village: u64, indicator: &str, text: &str) {
        if let (Some(&row), Some(raw)) = (self.row_of.get(&village), self.raw.get_mut(indicator)) {
            raw.set(row, Some(text));
        }
    }

    #[must_use]
    pub fn finish(self) -> Cube {
        let len = self.codes.len();
        let mut columns: BTreeMap<String, Vec<Series>> = BTreeMap::new();
        let blocks = || (0..len).step_by(BLOCK_ROWS).map(move |start| start..(start + BLOCK_ROWS).min(len));
        columns.insert(CODE.to_owned(), blocks().map(|r| Series::new(CODE.into(), &self.codes[r])).collect());
        for level in ANCESTOR_LEVELS {
            let ancestors: Vec<Option<u64>> = self.codes.iter().map(|&c| ancestor(c, level)).collect();
            let name = level_column(level);
            columns.insert(name.to_owned(), blocks().map(|r| Series::new(name.into(), &ancestors[r])).collect());
        }
        columns.insert(STATUS.to_owned(), blocks().map(|r| Series::new(STATUS.into(), &self.states[r])).collect());
        columns.insert(UPDATED.to_owned(), blocks().map(|r| Series::new(UPDATED.into(), &self.updated[r])).collect());
        for (code, raw) in &self.raw {
            columns.insert(code.clone(), blocks().map(|r| raw.series(code, r)).collect());
        }
        let index = self.measures.iter().enumerate().map(|(i, m)| (m.code.clone(), i)).collect();
        Cube {
            period: self.period,
            measures: self.measures,
            index,
            codes: self.codes,
            row_of: self.row_of,
            names: self.names,
            columns,
        }
    }
}

/// The village's ancestor code at `level`, if it has one (a township directly under a prefecture
/// has no county).
fn ancestor(village: u64, level: RegionLevel) -> Option<u64> {
    let code = RegionCode::from_number(village).ok()?;
    let up = code.truncated_to(level);
    (up.level() == level).then(|| up.number())
}

#[derive(Debug)]
pub struct Cube {
    period: String,
    measures: Vec<Measure>,
    index: HashMap<String, usize>,
    codes: Vec<u64>,
    row_of: HashMap<u64, usize>,
    names: HashMap<u64, String>,
    columns: BTreeMap<String, Vec<Series>>,
}

impl Cube {
    #[must_use]
    pub fn period(&self) -> &str {
        &self.period
    }

    #[must_use]
    pub fn villages(&self) -> usize {
        self.codes.len()
    }

    #[must_use]
    pub fn measures(&self) -> &[Measure] {
        &self.measures
    }

    #[must_use]
    pub fn measure(&self, code: &str) -> Option<&Measure> {
        self.index.get(code).map(|&i| &self.measures[i])
    }

    #[must_use]
    pub fn name(&self, code: u64) -> Option<&str> {
        self.names.get(&code).map(String::as_str)
    }

    /// Whether `other` has the same villages in the same rows (both built from one division list).
    #[must_use]
    pub fn same_villages(&self, other: &Cube) -> bool {
        self.codes == other.codes
    }

    /// The rows of the villages inside `within` (all rows for `None`).
    #[must_use]
    pub fn rows(&self, within: Option<RegionCode>) -> Range<usize> {
        let Some(within) = within else { return 0..self.codes.len() };
        let (low, high) = within.descendant_range();
        let start = self.codes.partition_point(|&c| c < low.number());
        let end = self.codes.partition_point(|&c| c <= high.number());
        start..end
    }

    /// The named columns over `rows`, sharing the cube's memory.
    ///
    /// # Errors
    /// On an unknown column or a polars failure.
    pub fn frame(&self, names: &[&str], rows: Range<usize>) -> Result<DataFrame, CubeError> {
        let height = rows.len();
        if height == 0 {
            let columns = names
                .iter()
                .map(|name| self.block_series(name, 0).map(|s| s.slice(0, 0).into_column()))
                .collect::<Result<Vec<Column>, _>>()?;
            return Ok(DataFrame::new(0, columns)?);
        }
        let (first, last) = (rows.start / BLOCK_ROWS, (rows.end - 1) / BLOCK_ROWS);
        let mut columns = Vec::with_capacity(names.len());
        for name in names {
            let mut series = self.block_series(name, first)?;
            for block in first + 1..=last {
                series.append(&self.block_series(name, block)?)?;
            }
            let offset = i64::try_from(rows.start - first * BLOCK_ROWS).unwrap_or(0);
            columns.push(series.slice(offset, height).into_column());
        }
        Ok(DataFrame::new(height, columns)?)
    }

    pub(crate) fn block_series(&self, name: &str, block: usize) -> Result<Series, CubeError> {
        self.columns
            .get(name)
            .and_then(|blocks| blocks.get(block))
            .cloned()
            .ok_or_else(|| CubeError::Polars(polars::prelude::polars_err!(ColumnNotFound: "{name}")))
    }

    /// Replaces the entries of these villages: their state and all their stored values. Only the
    /// blocks holding them are rebuilt.
    ///
    /// # Errors
    /// [`CubeError::UnknownVillage`] for a village the cube was not built with (nothing is applied:
    /// the caller rebuilds), or a polars failure.
    pub fn apply(&mut self, entries: &[VillageEntry]) -> Result<(), CubeError> {
        let mut by_block: BTreeMap<usize, Vec<(usize, &VillageEntry)>> = BTreeMap::new();
        for entry in entries {
            let row = *self.row_of.get(&entry.code.number()).ok_or(CubeError::UnknownVillage(entry.code))?;
            by_block.entry(row / BLOCK_ROWS).or_default().push((row % BLOCK_ROWS, entry));
        }
        let stored: Vec<String> = self.measures.iter().filter(|m| !m.is_derived()).map(|m| m.code.clone()).collect();
        for (block, changes) in by_block {
            let status = self.block_series(STATUS, block)?;
            let mut states: Vec<i32> = status.i32()?.into_no_null_iter().collect();
            let updated = self.block_series(UPDATED, block)?;
            let mut times: Vec<i64> = updated.i64()?.into_no_null_iter().collect();
            for (offset, entry) in &changes {
                states[*offset] = entry.state as i32;
                times[*offset] = entry.updated_ms;
            }
            self.replace_block(STATUS, block, Series::new(STATUS.into(), states));
            self.replace_block(UPDATED, block, Series::new(UPDATED.into(), times));
            for code in &stored {
                let old = self.block_series(code, block)?;
                let mut raw = Raw::from_series(&old)?;
                for (offset, entry) in &changes {
                    let text = entry.values.iter().find(|(c, _)| c == code).map(|(_, v)| v.as_str());
                    raw.set(*offset, text);
                }
                self.replace_block(code, block, raw.series(code, 0..old.len()));
            }
        }
        Ok(())
    }

    fn replace_block(&mut self, name: &str, block: usize, series: Series) {
        if let Some(slot) = self.columns.get_mut(name).and_then(|blocks| blocks.get_mut(block)) {
            *slot = series;
        }
    }

    /// The same villages, states and flags for another period, every number multiplied by
    /// `factor` and rounded: a stand-in year for benchmarks of many periods, where generating
    /// ten national years in the store would take most of an hour.
    ///
    /// # Errors
    /// On a polars failure.
    pub fn restated(&self, period: &str, factor: f64) -> Result<Cube, CubeError> {
        let mut columns = self.columns.clone();
        for measure in self.measures.iter().filter(|m| !m.is_derived() && m.kind.is_numeric()) {
            if let Some(blocks) = columns.get_mut(&measure.code) {
                for block in blocks.iter_mut() {
                    let scaled = block.f64()?.apply_values(|v| (v * factor).round());
                    *block = scaled.into_series();
                }
            }
        }
        Ok(Cube {
            period: period.to_owned(),
            measures: self.measures.clone(),
            index: self.index.clone(),
            codes: self.codes.clone(),
            row_of: self.row_of.clone(),
            names: self.names.clone(),
            columns,
        })
    }

    /// When the village's entry last changed, as the cube holds it (`None`: not in the cube).
    #[must_use]
    pub fn updated_ms(&self, village: u64) -> Option<i64> {
        let row = *self.row_of.get(&village)?;
        let block = self.columns.get(UPDATED)?.get(row / BLOCK_ROWS)?;
        block.i64().ok()?.get(row % BLOCK_ROWS)
    }

    /// Approximate bytes the cube holds: its columns, the village index and the region names.
    #[must_use]
    pub fn memory_bytes(&self) -> usize {
        let names: usize = self.names.values().map(|n| n.len() + 48).sum();
        self.estimated_bytes() + self.codes.len() * 8 + self.row_of.len() * 24 + names
    }

    /// Approximate bytes held by the columns.
    #[must_use]
    pub fn estimated_bytes(&self) -> usize {
        self.columns.values().flatten().map(Series::estimated_size).sum()
    }
}

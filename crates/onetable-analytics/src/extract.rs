//! The partitioned extract (数据湖导出): one row per village — its code and name, the codes and
//! names of its township, county, prefecture and province, its entry's state and approval time —
//! then one typed column per indicator (integers as Int64, decimals as Float64, yes/no as Boolean,
//! text as String, derived indicators computed per village as Float64), cut by province, for
//! Spark, Trino or DuckDB to read. Writing the files is the application's.

use onetable_core::RegionLevel;
use polars::prelude::{col, ChunkCompareIneq, DataFrame, DataType, IntoColumn, IntoLazy, NamedFrom, Series};

use crate::compile::{compile, null_of};
use crate::cube::{level_column, Cube, CubeError, CODE, STATUS, UPDATED};
use crate::measure::{Measure, MeasureKind};

/// The extract's column for an indicator: its code in lower case, dots as underscores
/// (`POP.REGISTERED` → `pop_registered`), since a dot in a column name means a struct field to
/// Spark and needs quoting everywhere else.
#[must_use]
pub fn column_name(code: &str) -> String {
    code.to_lowercase().replace(['.', '-'], "_")
}

/// The type an indicator's column has in the extract.
#[must_use]
pub fn column_type(measure: &Measure) -> &'static str {
    match (measure.is_derived(), measure.kind) {
        (true, _) | (false, MeasureKind::Decimal) => "double",
        (false, MeasureKind::Integer) => "bigint",
        (false, MeasureKind::Boolean) => "boolean",
        (false, MeasureKind::Text) => "string",
    }
}

/// One province's villages.
#[derive(Debug)]
pub struct ProvincePart {
    /// Its two-digit code, as the partition is named (`province=52`).
    pub province: String,
    pub frame: DataFrame,
}

impl ProvincePart {
    /// The partition as one Parquet file.
    ///
    /// # Errors
    /// On a polars failure.
    pub fn to_parquet(&mut self) -> Result<Vec<u8>, crate::render::RenderError> {
        let mut bytes = Vec::new();
        polars::prelude::ParquetWriter::new(&mut bytes).finish(&mut self.frame)?;
        Ok(bytes)
    }

    #[must_use]
    pub fn rows(&self) -> usize {
        self.frame.height()
    }
}

const ANCESTORS: [RegionLevel; 4] =
    [RegionLevel::Township, RegionLevel::County, RegionLevel::Prefecture, RegionLevel::Province];

fn state_name(state: Option<i32>) -> &'static str {
    match state {
        Some(2) => "approved",
        Some(1) => "submitted",
        _ => "open",
    }
}

fn iso_millis(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

impl Cube {
    /// The extract of `measures` (all of the cube's when empty), by province; with
    /// `changed_since_ms`, only the provinces where some village's entry changed after it (each
    /// still whole: a partition is always all of its villages).
    ///
    /// # Errors
    /// On an indicator not in the cube or a polars failure.
    pub fn extract(&self, codes: &[String], changed_since_ms: Option<i64>) -> Result<Vec<ProvincePart>, CubeError> {
        self.extract_within(codes, changed_since_ms, None, None, &[])
    }

    /// [`Cube::extract`] of the villages inside `within` only, and with `min_state` only those
    /// whose entry is at least that (a department reads approved entries only). A derived
    /// column's input of another frequency is read from one of `containing` (the cubes of the
    /// periods containing this one), where that period's entry is at least `min_state` too.
    ///
    /// # Errors
    /// On an indicator not in the cube or a polars failure.
    pub fn extract_within(
        &self,
        codes: &[String],
        changed_since_ms: Option<i64>,
        within: Option<onetable_core::RegionCode>,
        min_state: Option<crate::cube::EntryState>,
        containing: &[&Cube],
    ) -> Result<Vec<ProvincePart>, CubeError> {
        let measures: Vec<&Measure> = if codes.is_empty() {
            self.measures().iter().collect()
        } else {
            codes
                .iter()
                .map(|c| {
                    self.measure(c)
                        .ok_or_else(|| CubeError::Polars(polars::prelude::polars_err!(ColumnNotFound: "{c}")))
                })
                .collect::<Result<_, _>>()?
        };
        let mut needed: Vec<&str> = vec![CODE, STATUS, UPDATED];
        needed.extend(ANCESTORS.iter().map(|l| level_column(*l)));
        let mut foreign: Vec<String> = Vec::new();
        for measure in &measures {
            let inputs: Vec<String> = match &measure.formula {
                Some(formula) => formula.codes().into_iter().collect(),
                None => vec![measure.code.clone()],
            };
            for input in inputs {
                match self.measure(&input) {
                    Some(m) if !m.is_derived() && !needed.contains(&m.code.as_str()) => needed.push(m.code.as_str()),
                    None if !foreign.contains(&input) => foreign.push(input),
                    _ => {}
                }
            }
        }
        let rows = self.rows(within);
        let mut frame = self.frame(&needed, rows.clone())?;
        let floor = min_state.unwrap_or(crate::cube::EntryState::Open);
        let mut held: Vec<String> = Vec::new();
        for code in foreign {
            if self.add_containing(&mut frame, &code, &rows, floor, containing)? {
                held.push(code);
            }
        }
        let frame = match min_state {
            Some(state) => {
                let keep = frame.column(STATUS)?.cast(&DataType::Int32)?.i32()?.gt_eq(state as i32);
                frame.filter(&keep)?
            }
            None => frame,
        };
        let mut select = Vec::with_capacity(measures.len());
        for measure in &measures {
            let expr = match &measure.formula {
                Some(formula) => {
                    let column = |code: &str| match self.measure(code) {
                        Some(m) if !m.is_derived() && m.kind != MeasureKind::Text => {
                            (col(code), m.kind == MeasureKind::Boolean)
                        }
                        None if held.iter().any(|h| h == code) => (col(code), false),
                        _ => (null_of(DataType::Float64), false),
                    };
                    compile(formula, &column).cast(DataType::Float64)
                }
                None => match measure.kind {
                    MeasureKind::Integer => col(measure.code.as_str()).cast(DataType::Int64),
                    MeasureKind::Decimal => col(measure.code.as_str()).cast(DataType::Float64),
                    MeasureKind::Boolean | MeasureKind::Text => col(measure.code.as_str()),
                },
            };
            select.push(expr.alias(column_name(&measure.code)));
        }
        let values = frame.clone().lazy().select(select).collect()?;
        let codes = frame.column(CODE)?.u64()?.clone();
        let states = frame.column(STATUS)?.cast(&DataType::Int32)?.i32()?.clone();
        let updated = frame.column(UPDATED)?.cast(&DataType::Int64)?.i64()?.clone();
        let text = |name: &str, values: Vec<Option<String>>| Series::new(name.into(), values).into_column();
        let mut keys = vec![
            text("village_code", codes.iter().map(|c| c.map(|c| format!("{c:012}"))).collect()),
            text("village_name", codes.iter().map(|c| c.and_then(|c| self.name(c)).map(str::to_owned)).collect()),
        ];
        for level in ANCESTORS {
            let column = frame.column(level_column(level))?.u64()?.clone();
            let prefix = level_column(level);
            keys.push(text(&format!("{prefix}_code"), column.iter().map(|c| c.map(|c| format!("{c:012}"))).collect()));
            keys.push(text(
                &format!("{prefix}_name"),
                column.iter().map(|c| c.and_then(|c| self.name(c)).map(str::to_owned)).collect(),
            ));
        }
        keys.push(text("status", states.iter().map(|s| Some(state_name(s).to_owned())).collect()));
        keys.push(text(
            "approved_at",
            states
                .iter()
                .zip(updated.iter())
                .map(|(s, t)| if s == Some(2) { t.and_then(iso_millis) } else { None })
                .collect(),
        ));
        let mut columns = keys;
        columns.extend(values.columns().iter().cloned());
        let whole = DataFrame::new(frame.height(), columns)?;
        // Villages are sorted by code, so each province is one run of rows.
        let mut parts = Vec::new();
        let mut start = 0;
        let height = codes.len();
        while start < height {
            let province = codes.get(start).unwrap_or_default() / 10_000_000_000;
            let mut end = start;
            while end < height && codes.get(end).unwrap_or_default() / 10_000_000_000 == province {
                end += 1;
            }
            let changed =
                changed_since_ms.is_none_or(|since| (start..end).any(|r| updated.get(r).is_some_and(|t| t > since)));
            if changed {
                parts.push(ProvincePart {
                    province: format!("{province:02}"),
                    frame: whole.slice(i64::try_from(start).unwrap_or(0), end - start),
                });
            }
            start = end;
        }
        Ok(parts)
    }
}

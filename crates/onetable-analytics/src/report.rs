//! What a pull or a rollup returns, independent of the format it is rendered in.

use onetable_core::RegionLevel;
use polars::prelude::{Column, DataFrame, IntoColumn, NamedFrom, Series};

use crate::measure::{Measure, MeasureKind};
use crate::render::{Cell, RenderError, Table};

/// One value in a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    Null,
    Number(f64),
    Bool(bool),
    Text(String),
    /// A small count withheld from this reader (shown as `<5`).
    Suppressed,
}

impl Datum {
    /// Numbers rounded to 6 decimals, so that sums of decimals do not show float noise.
    #[must_use]
    pub fn number(value: f64) -> Self {
        Self::Number((value * 1e6).round() / 1e6)
    }

    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Null => serde_json::Value::Null,
            // Whole numbers print as integers: 1234, not 1234.0.
            #[allow(clippy::cast_possible_truncation)]
            Self::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => serde_json::Value::from(*n as i64),
            Self::Number(n) => serde_json::Value::from(*n),
            Self::Bool(b) => serde_json::Value::from(*b),
            Self::Text(t) => serde_json::Value::from(t.as_str()),
            Self::Suppressed => serde_json::Value::from(SUPPRESSED),
        }
    }
}

/// How a withheld small count is shown.
pub const SUPPRESSED: &str = "<5";

/// Villages expected to report under a region, how many of their forms await review (submitted,
/// not yet approved) and how many are approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Completeness {
    pub expected: u32,
    pub submitted: u32,
    pub approved: u32,
}

#[derive(Debug, Clone)]
pub struct ReportRow {
    pub code: String,
    pub name: String,
    /// For village rows: the township's and county's names.
    pub township: Option<String>,
    pub county: Option<String>,
    /// For rolled-up rows.
    pub completeness: Option<Completeness>,
    pub values: Vec<Datum>,
}

/// What a report's rows are, which decides its key columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// Regions rolled up (villages too, at village level): each with its completeness.
    Rollup,
    /// Villages as they reported (a pull): each with its township and county.
    Village,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub period: String,
    pub level: RegionLevel,
    pub kind: RowKind,
    pub measures: Vec<Measure>,
    pub rows: Vec<ReportRow>,
}

/// Whether column headers are Chinese names (for people) or codes (for systems).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headers {
    Names,
    Codes,
}

impl Report {
    fn key_headers(&self, headers: Headers) -> Vec<String> {
        let name = if self.level == RegionLevel::Village { "村名称" } else { "名称" };
        let keys: &[(&str, &str)] = match self.kind {
            RowKind::Village => &[("code", "区划代码"), ("name", name), ("township", "乡镇"), ("county", "县区")],
            // 待审核: submitted and not yet approved (an approved entry counts under 已审核 only).
            RowKind::Rollup => &[
                ("code", "区划代码"),
                ("name", name),
                ("expected", "应报村数"),
                ("submitted", "待审核"),
                ("approved", "已审核"),
            ],
        };
        keys.iter()
            .map(|(code, name)| if headers == Headers::Codes { (*code).to_owned() } else { (*name).to_owned() })
            .collect()
    }

    fn measure_headers(&self, headers: Headers) -> Vec<String> {
        self.measures
            .iter()
            .map(|m| match headers {
                Headers::Codes => m.code.clone(),
                Headers::Names if m.unit.is_empty() => m.name.clone(),
                Headers::Names => format!("{}（{}）", m.name, m.unit),
            })
            .collect()
    }

    /// A row's key cells, as many as [`Report::key_headers`] names whatever the row holds.
    fn keys(&self, row: &ReportRow) -> Vec<Cell> {
        let mut cells = vec![Cell::from(row.code.as_str()), Cell::from(row.name.as_str())];
        match self.kind {
            RowKind::Rollup => {
                let c = row.completeness.unwrap_or(Completeness { expected: 0, submitted: 0, approved: 0 });
                cells.extend([c.expected, c.submitted, c.approved].map(|n| Cell::Number(f64::from(n))));
            }
            RowKind::Village => {
                cells.push(row.township.clone().map_or(Cell::Empty, Cell::Text));
                cells.push(row.county.clone().map_or(Cell::Empty, Cell::Text));
            }
        }
        cells
    }

    /// As a table for CSV or XLSX.
    #[must_use]
    pub fn to_table(&self, headers: Headers) -> Table {
        let mut head = self.key_headers(headers);
        head.extend(self.measure_headers(headers));
        let rows = self
            .rows
            .iter()
            .map(|row| {
                let mut cells = self.keys(row);
                cells.extend(row.values.iter().map(|d| match d {
                    Datum::Null => Cell::Empty,
                    Datum::Number(n) => Cell::Number(*n),
                    Datum::Bool(b) => Cell::Text(if *b { "是" } else { "否" }.to_owned()),
                    Datum::Text(t) => Cell::Text(t.clone()),
                    Datum::Suppressed => Cell::Text(SUPPRESSED.to_owned()),
                }));
                cells
            })
            .collect();
        Table { headers: head, rows }
    }

    /// As JSON rows: keys, then `values` by indicator code.
    #[must_use]
    pub fn to_json_rows(&self) -> Vec<serde_json::Value> {
        self.rows
            .iter()
            .map(|row| {
                let mut object = serde_json::Map::new();
                object.insert("code".into(), row.code.clone().into());
                object.insert("name".into(), row.name.clone().into());
                if let Some(c) = row.completeness {
                    object.insert("completeness".into(), serde_json::json!(c));
                } else {
                    object.insert("township".into(), row.township.clone().into());
                    object.insert("county".into(), row.county.clone().into());
                }
                let values =
                    self.measures.iter().zip(&row.values).map(|(m, d)| (m.code.clone(), d.to_json())).collect();
                object.insert("values".into(), serde_json::Value::Object(values));
                serde_json::Value::Object(object)
            })
            .collect()
    }

    /// As a data frame with code headers: numbers as Float64, yes/no as Boolean, the rest as text;
    /// a withheld count is null.
    ///
    /// # Errors
    /// On a polars failure.
    pub fn to_frame(&self) -> Result<DataFrame, RenderError> {
        let keys = self.key_headers(Headers::Codes);
        let mut columns: Vec<Column> = Vec::new();
        let key_cells: Vec<Vec<Cell>> = self.rows.iter().map(|row| self.keys(row)).collect();
        for (i, key) in keys.iter().enumerate() {
            let column = if i < 2 || self.kind == RowKind::Village {
                let texts: Vec<Option<String>> = key_cells
                    .iter()
                    .map(|cells| match &cells[i] {
                        Cell::Text(t) => Some(t.clone()),
                        _ => None,
                    })
                    .collect();
                Series::new(key.into(), texts)
            } else {
                let counts: Vec<Option<u32>> = key_cells
                    .iter()
                    .map(|cells| match cells[i] {
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        Cell::Number(n) => Some(n as u32),
                        _ => None,
                    })
                    .collect();
                Series::new(key.into(), counts)
            };
            columns.push(column.into_column());
        }
        for (i, measure) in self.measures.iter().enumerate() {
            let values = self.rows.iter().map(|row| &row.values[i]);
            let name = measure.code.as_str().into();
            let series = match measure.kind {
                MeasureKind::Boolean if self.kind == RowKind::Village => Series::new(
                    name,
                    values.map(|d| if let Datum::Bool(b) = d { Some(*b) } else { None }).collect::<Vec<_>>(),
                ),
                MeasureKind::Text => Series::new(
                    name,
                    values.map(|d| if let Datum::Text(t) = d { Some(t.clone()) } else { None }).collect::<Vec<_>>(),
                ),
                _ => Series::new(
                    name,
                    values.map(|d| if let Datum::Number(n) = d { Some(*n) } else { None }).collect::<Vec<_>>(),
                ),
            };
            columns.push(series.into_column());
        }
        Ok(DataFrame::new(self.rows.len(), columns)?)
    }

    /// As a Parquet file (code headers, see [`Report::to_frame`]).
    ///
    /// # Errors
    /// On a polars failure.
    pub fn to_parquet(&self) -> Result<Vec<u8>, RenderError> {
        let mut frame = self.to_frame()?;
        let mut bytes = Vec::new();
        polars::prelude::ParquetWriter::new(&mut bytes).finish(&mut frame)?;
        Ok(bytes)
    }
}

/// Reads a Parquet file back (for clients and tests that check an export).
///
/// # Errors
/// When the bytes are not a Parquet file.
pub fn read_parquet(bytes: &[u8]) -> Result<DataFrame, RenderError> {
    use polars::prelude::SerReader;
    Ok(polars::prelude::ParquetReader::new(std::io::Cursor::new(bytes.to_vec())).finish()?)
}

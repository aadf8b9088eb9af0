//! A cube on disk (立方快照): its columns as one Parquet file and its region names as another, so
//! a restarted server loads a period's cube instead of rebuilding it from the store. Checking
//! that a snapshot belongs to the registry and the store as they are is the application's; here a
//! file that does not hold the columns the measures need is refused, never half loaded.

use std::collections::HashMap;

use polars::prelude::{DataFrame, DataType, IntoColumn, NamedFrom, ParquetReader, ParquetWriter, SerReader, Series};

use super::{level_column, Cube, CubeError, ANCESTOR_LEVELS, BLOCK_ROWS, CODE, STATUS, UPDATED};
use crate::measure::{Measure, MeasureKind};
use crate::render::RenderError;

/// The two files of a snapshot.
#[derive(Debug)]
pub struct SnapshotFiles {
    pub data: Vec<u8>,
    pub names: Vec<u8>,
}

fn refused(why: String) -> CubeError {
    CubeError::Polars(polars::prelude::polars_err!(ComputeError: "snapshot: {why}"))
}

fn key_columns() -> Vec<&'static str> {
    let mut out = vec![CODE, STATUS, UPDATED];
    out.extend(ANCESTOR_LEVELS.iter().map(|l| level_column(*l)));
    out
}

/// A cube's columns and region names as frames that share the cube's memory: taken while the
/// cube is locked, encoded after the lock is let go, so that writers do not wait for the encoding.
#[derive(Debug)]
pub struct SnapshotFrames {
    pub period: String,
    pub villages: usize,
    data: DataFrame,
    names: DataFrame,
}

impl SnapshotFrames {
    /// The snapshot files (Parquet).
    ///
    /// # Errors
    /// On a polars failure.
    pub fn encode(mut self) -> Result<SnapshotFiles, RenderError> {
        let mut data = Vec::new();
        ParquetWriter::new(&mut data).finish(&mut self.data)?;
        let mut names = Vec::new();
        ParquetWriter::new(&mut names).finish(&mut self.names)?;
        Ok(SnapshotFiles { data, names })
    }
}

impl Cube {
    /// The cube as snapshot files.
    ///
    /// # Errors
    /// On a polars failure.
    pub fn to_snapshot(&self) -> Result<SnapshotFiles, RenderError> {
        self.snapshot_frames()?.encode()
    }

    /// The cube as frames to encode later (see [`SnapshotFrames`]).
    ///
    /// # Errors
    /// On a polars failure.
    pub fn snapshot_frames(&self) -> Result<SnapshotFrames, RenderError> {
        let mut names: Vec<&str> = key_columns();
        names.extend(self.columns.keys().map(String::as_str).filter(|n| !key_columns().contains(n)));
        let data = self.frame(&names, 0..self.codes.len()).map_err(|e| {
            RenderError::Polars(match e {
                CubeError::Polars(p) => p,
                other => polars::prelude::polars_err!(ComputeError: "{other}"),
            })
        })?;
        let (codes, labels): (Vec<u64>, Vec<&str>) = self.names.iter().map(|(c, n)| (*c, n.as_str())).unzip();
        let names = DataFrame::new(
            codes.len(),
            vec![Series::new("code".into(), codes).into_column(), Series::new("name".into(), labels).into_column()],
        )?;
        Ok(SnapshotFrames { period: self.period.clone(), villages: self.codes.len(), data, names })
    }

    /// A cube of `period` from snapshot files, for `measures` as the registry has them now.
    ///
    /// # Errors
    /// When the files are not Parquet, or lack a column of the right type for a stored measure.
    pub fn from_snapshot(period: &str, measures: Vec<Measure>, files: &SnapshotFiles) -> Result<Cube, CubeError> {
        let frame = ParquetReader::new(std::io::Cursor::new(files.data.as_slice())).finish()?;
        let names_frame = ParquetReader::new(std::io::Cursor::new(files.names.as_slice())).finish()?;
        let expected = |kind: MeasureKind| match kind {
            MeasureKind::Integer | MeasureKind::Decimal => DataType::Float64,
            MeasureKind::Boolean => DataType::Boolean,
            MeasureKind::Text => DataType::String,
        };
        for measure in measures.iter().filter(|m| !m.is_derived()) {
            let found = frame.column(&measure.code).map_err(|_| refused(format!("no column {}", measure.code)))?;
            if found.dtype() != &expected(measure.kind) {
                return Err(refused(format!("{} is {} here", measure.code, found.dtype())));
            }
        }
        let codes: Vec<u64> = frame.column(CODE)?.u64()?.into_no_null_iter().collect();
        if codes.windows(2).any(|w| w[0] >= w[1]) {
            return Err(refused("villages out of order".to_owned()));
        }
        let len = codes.len();
        let mut columns = std::collections::BTreeMap::new();
        let stored: Vec<&str> = measures.iter().filter(|m| !m.is_derived()).map(|m| m.code.as_str()).collect();
        for name in key_columns().into_iter().chain(stored) {
            let series = frame.column(name)?.as_materialized_series().clone();
            let blocks: Vec<Series> = (0..len)
                .step_by(BLOCK_ROWS)
                .map(|start| series.slice(i64::try_from(start).unwrap_or(0), BLOCK_ROWS.min(len - start)).rechunk())
                .collect();
            columns.insert(name.to_owned(), blocks);
        }
        let name_codes = names_frame.column("code")?.u64()?.clone();
        let labels = names_frame.column("name")?.str()?.clone();
        let names: HashMap<u64, String> =
            name_codes.iter().zip(labels.iter()).filter_map(|(c, n)| Some((c?, n?.to_owned()))).collect();
        let index = measures.iter().enumerate().map(|(i, m)| (m.code.clone(), i)).collect();
        let row_of = codes.iter().enumerate().map(|(row, code)| (*code, row)).collect();
        Ok(Cube { period: period.to_owned(), measures, index, codes, row_of, names, columns })
    }
}

//! Reading the cube: rollups to any level (汇总) and village rows (明细), both as [`Report`]s.

use std::collections::BTreeSet;

use onetable_core::indicator::Aggregation;
use onetable_core::{RegionCode, RegionLevel};

use polars::prelude::{
    col, lit, when, Column, DataFrame, DataType, Expr as PlExpr, IntoColumn, IntoLazy, NamedFrom, Series,
    SortMultipleOptions,
};

use crate::compile::{compile, null_of};
use crate::cube::{level_column, Cube, CubeError, EntryState, CODE, STATUS, UPDATED};
use crate::measure::{Measure, MeasureKind};
use crate::report::{Completeness, Datum, Report, ReportRow, RowKind};
use crate::segmented::{Acc, Need};

/// Which villages and indicators a read covers.
#[derive(Debug, Clone)]
pub struct Selection {
    /// `None`: the whole cube (every province).
    pub within: Option<RegionCode>,
    /// Indicator codes, in the order wanted; each must be in the cube.
    pub indicators: Vec<String>,
    /// The least entry state whose values count (approved only, or submitted too).
    pub min_state: EntryState,
}

fn sum_name(code: &str) -> String {
    format!("__sum:{code}")
}

/// The sum of `input` for the formula of `derived` over villages counted in every period it reads.
fn joint_name(derived: &str, input: &str) -> String {
    format!("__joint:{derived}:{input}")
}

impl Cube {
    /// The selection's measures, each once: a code asked for twice would make two columns of one
    /// name, which polars refuses.
    fn selected(&self, selection: &Selection) -> Result<Vec<Measure>, CubeError> {
        let mut seen = BTreeSet::new();
        selection
            .indicators
            .iter()
            .filter(|code| seen.insert(code.as_str()))
            .map(|code| {
                self.measure(code)
                    .cloned()
                    .ok_or_else(|| CubeError::Polars(polars::prelude::polars_err!(ColumnNotFound: "indicator {code}")))
            })
            .collect()
    }

    /// One row per region at `level` inside the selection: each indicator rolled up by its rule,
    /// derived indicators as the formula over the rolled-up (summed) inputs — ratio of sums, never
    /// an average of ratios — and completeness.
    ///
    /// # Errors
    /// On an indicator not in the cube or a polars failure.
    pub fn rollup(&self, selection: &Selection, level: RegionLevel) -> Result<Report, CubeError> {
        self.rollup_with(selection, level, &[])
    }

    /// [`Self::rollup`], where a derived indicator's input that is not in this cube is read from
    /// one of `containing` — the cubes of the periods that contain this one (the year of a month):
    /// a monthly rate over the annual population. Such an input counts a village when both its
    /// entries count.
    ///
    /// # Errors
    /// On an indicator not in the cube or a polars failure.
    pub fn rollup_with(
        &self,
        selection: &Selection,
        level: RegionLevel,
        containing: &[&Cube],
    ) -> Result<Report, CubeError> {
        let measures = self.selected(selection)?;
        let key = level_column(level);
        let rows = self.rows(selection.within);
        let (regions, ok) = self.regions(key, &rows, selection.min_state)?;
        let mut columns: Vec<Column> = vec![
            Series::new(key.into(), &regions.keys).into_column(),
            Series::new("expected".into(), &regions.expected).into_column(),
            Series::new("submitted".into(), &regions.submitted).into_column(),
            Series::new("approved".into(), &regions.approved).into_column(),
        ];
        let mut inputs: BTreeSet<String> = BTreeSet::new();
        for measure in &measures {
            if let Some(formula) = &measure.formula {
                inputs.extend(formula.codes().into_iter().filter(|c| self.measure(c).is_some()));
                continue;
            }
            // A sum over no values is unknown, not 0.
            let pick: fn(&Acc) -> Option<f64> = match (measure.kind, measure.aggregation) {
                (MeasureKind::Text, _) | (_, Aggregation::None | Aggregation::Ratio) => continue,
                (_, Aggregation::Sum | Aggregation::CountTrue) => |a| (a.n > 0).then_some(a.sum),
                (_, Aggregation::Avg) => |a| (a.n > 0).then(|| a.sum / f64::from(a.n)),
                (_, Aggregation::Min) => |a| (a.n > 0).then_some(a.min),
                (_, Aggregation::Max) => |a| (a.n > 0).then_some(a.max),
            };
            let need =
                if matches!(measure.aggregation, Aggregation::Min | Aggregation::Max) { Need::All } else { Need::Sums };
            let accs = self.fold(&measure.code, &regions, &rows, &ok, need)?;
            let values: Vec<Option<f64>> = accs.iter().map(pick).collect();
            columns.push(Series::new(measure.code.as_str().into(), values).into_column());
        }
        let sums = |accs: Vec<Acc>| -> Vec<Option<f64>> { accs.iter().map(|a| (a.n > 0).then_some(a.sum)).collect() };
        let mut summed: BTreeSet<String> = BTreeSet::new();
        for input in &inputs {
            if self.measure(input).is_some_and(|m| !m.is_derived() && m.kind != MeasureKind::Text) {
                let accs = self.fold(input, &regions, &rows, &ok, Need::Sums)?;
                columns.push(Series::new(sum_name(input).into(), sums(accs)).into_column());
                summed.insert(sum_name(input));
            }
        }
        // A formula with inputs of a containing period: every input summed over the villages whose
        // entries count in both periods, so that the ratio is over one set of villages.
        for measure in &measures {
            let Some(formula) = &measure.formula else { continue };
            let codes = formula.codes();
            let outside: Vec<(&String, &Cube)> = codes
                .iter()
                .filter(|c| self.measure(c).is_none())
                .filter_map(|c| Some((c, self.containing_with(c, containing)?)))
                .collect();
            if outside.is_empty() {
                continue;
            }
            let mut both = ok.clone();
            for (_, other) in &outside {
                for (a, b) in both.iter_mut().zip(other.counted(&rows, selection.min_state)?) {
                    *a = *a && b;
                }
            }
            for input in &codes {
                let holder = match outside.iter().find(|(c, _)| *c == input) {
                    Some((_, other)) => *other,
                    None if self.measure(input).is_some_and(|m| !m.is_derived() && m.kind != MeasureKind::Text) => self,
                    None => continue,
                };
                let name = joint_name(&measure.code, input);
                let accs = holder.fold(input, &regions, &rows, &both, Need::Sums)?;
                columns.push(Series::new(name.as_str().into(), sums(accs)).into_column());
                summed.insert(name);
            }
        }
        let mut lazy = DataFrame::new(regions.keys.len(), columns)?.lazy();
        let derived: Vec<PlExpr> = measures
            .iter()
            .filter_map(|m| {
                let formula = m.formula.as_ref()?;
                let column = |code: &str| {
                    let joint = joint_name(&m.code, code);
                    if summed.contains(&joint) {
                        (col(joint), false)
                    } else if summed.contains(&sum_name(code)) {
                        (col(sum_name(code)), false)
                    } else {
                        (null_of(DataType::Float64), false)
                    }
                };
                Some(compile(formula, &column).cast(DataType::Float64).alias(m.code.as_str()))
            })
            .collect();
        if !derived.is_empty() {
            lazy = lazy.with_columns(derived);
        }
        let out = lazy.sort([key], SortMultipleOptions::default()).collect()?;
        self.rollup_report(&out, key, level, measures)
    }

    /// Adds to `frame` (over `rows` of this cube) the column `code` from the containing cube that
    /// holds it, as a number, null where that period's entry is below `min_state` (its value counts
    /// where its own entry does). Whether one held it.
    pub(crate) fn add_containing(
        &self,
        frame: &mut DataFrame,
        code: &str,
        rows: &std::ops::Range<usize>,
        min_state: EntryState,
        containing: &[&Cube],
    ) -> Result<bool, CubeError> {
        let Some(other) = self.containing_with(code, containing) else { return Ok(false) };
        let theirs = other
            .frame(&[code, STATUS], rows.clone())?
            .lazy()
            .select([when(col(STATUS).gt_eq(lit(min_state as i32)))
                .then(col(code).cast(DataType::Float64))
                .otherwise(null_of(DataType::Float64))
                .alias(code)])
            .collect()?;
        frame.hstack_mut(theirs.columns())?;
        Ok(true)
    }

    /// The containing cube that holds the stored numeric indicator `code` over the same villages.
    pub(crate) fn containing_with<'a>(&self, code: &str, containing: &[&'a Cube]) -> Option<&'a Cube> {
        containing
            .iter()
            .copied()
            .find(|c| c.measure(code).is_some_and(|m| !m.is_derived() && m.kind.is_numeric()) && c.same_villages(self))
    }

    fn rollup_report(
        &self,
        out: &DataFrame,
        key: &str,
        level: RegionLevel,
        measures: Vec<Measure>,
    ) -> Result<Report, CubeError> {
        let codes = out.column(key)?.u64()?.clone();
        let counts = |name: &str| -> Result<Vec<u32>, CubeError> {
            Ok(out.column(name)?.u32()?.iter().map(|v| v.unwrap_or(0)).collect())
        };
        let (expected, submitted, approved) = (counts("expected")?, counts("submitted")?, counts("approved")?);
        let mut values: Vec<Vec<Datum>> = vec![Vec::with_capacity(measures.len()); out.height()];
        for measure in &measures {
            let present = out.column(&measure.code).ok();
            let column = match present {
                Some(c) if measure.kind != MeasureKind::Text => Some(c.cast(&DataType::Float64)?),
                _ => None,
            };
            let floats = column.as_ref().map(|c| c.f64().cloned()).transpose()?;
            for (row, slot) in values.iter_mut().enumerate() {
                slot.push(floats.as_ref().and_then(|f| f.get(row)).map_or(Datum::Null, Datum::number));
            }
        }
        let rows = codes
            .iter()
            .zip(values)
            .enumerate()
            .map(|(i, (code, values))| {
                let code = code.unwrap_or_default();
                ReportRow {
                    code: format!("{code:012}"),
                    name: self.name(code).unwrap_or_default().to_owned(),
                    township: None,
                    county: None,
                    completeness: Some(Completeness {
                        expected: expected[i],
                        submitted: submitted[i],
                        approved: approved[i],
                    }),
                    values,
                }
            })
            .collect();
        Ok(Report { period: self.period().to_owned(), level, kind: RowKind::Rollup, measures, rows })
    }

    /// One row per village inside the selection whose entry counts, optionally only those changed
    /// after `changed_since_ms`: its code, name, township, county and the indicators (derived ones
    /// evaluated on the village's own values).
    ///
    /// # Errors
    /// On an indicator not in the cube or a polars failure.
    pub fn village_rows(&self, selection: &Selection, changed_since_ms: Option<i64>) -> Result<Report, CubeError> {
        self.village_rows_with(selection, changed_since_ms, &[])
    }

    /// [`Self::village_rows`], reading a derived indicator's inputs that are not in this cube from
    /// the cubes of the periods containing this one (see [`Self::rollup_with`]).
    ///
    /// # Errors
    /// On an indicator not in the cube or a polars failure.
    pub fn village_rows_with(
        &self,
        selection: &Selection,
        changed_since_ms: Option<i64>,
        containing: &[&Cube],
    ) -> Result<Report, CubeError> {
        let measures = self.selected(selection)?;
        let mut needed: BTreeSet<&str> = BTreeSet::from([CODE, STATUS, UPDATED, "township", "county"]);
        let mut foreign: BTreeSet<String> = BTreeSet::new();
        for measure in &measures {
            match &measure.formula {
                Some(formula) => {
                    for input in formula.codes() {
                        match self.measure(&input) {
                            Some(m) if !m.is_derived() => {
                                needed.insert(m.code.as_str());
                            }
                            Some(_) => {}
                            None => {
                                foreign.insert(input);
                            }
                        }
                    }
                }
                None => {
                    needed.insert(measure.code.as_str());
                }
            }
        }
        let needed: Vec<&str> = needed.into_iter().collect();
        let rows = self.rows(selection.within);
        let mut frame = self.frame(&needed, rows.clone())?;
        let mut held: BTreeSet<String> = BTreeSet::new();
        for code in foreign {
            if self.add_containing(&mut frame, &code, &rows, selection.min_state, containing)? {
                held.insert(code);
            }
        }
        let mut filter = col(STATUS).gt_eq(lit(selection.min_state as i32));
        if let Some(since) = changed_since_ms {
            filter = filter.and(col(UPDATED).gt(lit(since)));
        }
        let mut select = vec![col(CODE), col("township"), col("county")];
        for measure in &measures {
            let expr = match &measure.formula {
                Some(formula) => {
                    let column = |code: &str| match self.measure(code) {
                        Some(m) if !m.is_derived() && m.kind != MeasureKind::Text => {
                            (col(code), m.kind == MeasureKind::Boolean)
                        }
                        None if held.contains(code) => (col(code), false),
                        _ => (null_of(DataType::Float64), false),
                    };
                    compile(formula, &column).cast(DataType::Float64)
                }
                None => col(measure.code.as_str()),
            };
            select.push(expr.alias(measure.code.as_str()));
        }
        let out = frame.lazy().filter(filter).select(select).collect()?;
        let codes = out.column(CODE)?.u64()?.clone();
        let townships = out.column("township")?.u64()?.clone();
        let counties = out.column("county")?.u64()?.clone();
        let mut values: Vec<Vec<Datum>> = vec![Vec::with_capacity(measures.len()); out.height()];
        for measure in &measures {
            let column = out.column(&measure.code)?.as_materialized_series().clone();
            match column.dtype() {
                DataType::Boolean => {
                    for (slot, v) in values.iter_mut().zip(column.bool()?.iter()) {
                        slot.push(v.map_or(Datum::Null, Datum::Bool));
                    }
                }
                DataType::String => {
                    for (slot, v) in values.iter_mut().zip(column.str()?.iter()) {
                        slot.push(v.map_or(Datum::Null, |t| Datum::Text(t.to_owned())));
                    }
                }
                _ => {
                    let floats = column.cast(&DataType::Float64)?;
                    for (slot, v) in values.iter_mut().zip(floats.f64()?.iter()) {
                        slot.push(v.map_or(Datum::Null, Datum::number));
                    }
                }
            }
        }
        let name_of = |code: Option<u64>| code.and_then(|c| self.name(c)).map(str::to_owned);
        let rows = codes
            .iter()
            .zip(townships.iter().zip(counties.iter()))
            .zip(values)
            .map(|((code, (township, county)), values)| {
                let code = code.unwrap_or_default();
                ReportRow {
                    code: format!("{code:012}"),
                    name: self.name(code).unwrap_or_default().to_owned(),
                    township: name_of(township),
                    county: name_of(county),
                    completeness: None,
                    values,
                }
            })
            .collect();
        Ok(Report {
            period: self.period().to_owned(),
            level: RegionLevel::Village,
            kind: RowKind::Village,
            measures,
            rows,
        })
    }
}

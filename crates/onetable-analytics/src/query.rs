//! Reading the cube: rollups to any level (汇总) and village rows (明细), both as [`Report`]s.

use std::collections::BTreeSet;

use onetable_core::indicator::Aggregation;
use onetable_core::{RegionCode, RegionLevel};
use polars::prelude::{col, len, lit, when, DataFrame, DataType, Expr as PlExpr, IntoLazy, SortMultipleOptions};

use crate::compile::{compile, null_of};
use crate::cube::{level_column, Cube, CubeError, EntryState, CODE, STATUS, UPDATED};
use crate::measure::{Measure, MeasureKind};
use crate::report::{Completeness, Datum, Report, ReportRow};

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

fn count_name(code: &str) -> String {
    format!("__n:{code}")
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
        let measures = self.selected(selection)?;
        let key = level_column(level);
        let ok = col(STATUS).gt_eq(lit(selection.min_state as i32));
        let mut needed: BTreeSet<&str> = BTreeSet::from([key, STATUS]);
        let mut aggs = vec![
            len().cast(DataType::UInt32).alias("expected"),
            col(STATUS).eq(lit(EntryState::Submitted as i32)).sum().cast(DataType::UInt32).alias("submitted"),
            col(STATUS).eq(lit(EntryState::Approved as i32)).sum().cast(DataType::UInt32).alias("approved"),
        ];
        let mut summed: BTreeSet<String> = BTreeSet::new();
        let mut guards = Vec::new();
        for measure in &measures {
            let code = measure.code.as_str();
            if let Some(formula) = &measure.formula {
                for input in formula.codes() {
                    if self.measure(&input).is_some_and(|m| !m.is_derived() && m.kind != MeasureKind::Text) {
                        summed.insert(input);
                    }
                }
                continue;
            }
            if measure.kind == MeasureKind::Text {
                continue;
            }
            needed.insert(code);
            let values = col(code).filter(ok.clone());
            let rolled = match measure.aggregation {
                Aggregation::Sum | Aggregation::CountTrue => {
                    aggs.push(values.clone().count().alias(count_name(code)));
                    guards.push(code.to_owned());
                    values.sum().cast(DataType::Float64)
                }
                Aggregation::Avg => values.cast(DataType::Float64).mean(),
                Aggregation::Min => values.cast(DataType::Float64).min(),
                Aggregation::Max => values.cast(DataType::Float64).max(),
                Aggregation::None | Aggregation::Ratio => continue,
            };
            aggs.push(rolled.alias(code));
        }
        for input in &summed {
            needed.insert(input.as_str());
            let values = col(input.as_str()).filter(ok.clone());
            aggs.push(values.clone().sum().cast(DataType::Float64).alias(sum_name(input)));
            aggs.push(values.count().alias(count_name(&sum_name(input))));
        }
        let needed: Vec<&str> = needed.into_iter().collect();
        let frame = self.frame(&needed, self.rows(selection.within))?;
        // A sum over no values is unknown, not 0.
        let mut guarded: Vec<PlExpr> = guards
            .iter()
            .map(|c| {
                when(col(count_name(c)).gt(lit(0)))
                    .then(col(c.as_str()))
                    .otherwise(null_of(DataType::Float64))
                    .alias(c.as_str())
            })
            .collect();
        guarded.extend(summed.iter().map(|c| {
            let name = sum_name(c);
            when(col(count_name(&name)).gt(lit(0)))
                .then(col(name.as_str()))
                .otherwise(null_of(DataType::Float64))
                .alias(name.as_str())
        }));
        let mut lazy = frame.lazy().filter(col(key).is_not_null()).group_by([col(key)]).agg(aggs);
        if !guarded.is_empty() {
            lazy = lazy.with_columns(guarded);
        }
        let derived: Vec<PlExpr> = measures
            .iter()
            .filter_map(|m| {
                let formula = m.formula.as_ref()?;
                let column = |code: &str| {
                    if summed.contains(code) {
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
        Ok(Report { period: self.period().to_owned(), level, measures, rows })
    }

    /// One row per village inside the selection whose entry counts, optionally only those changed
    /// after `changed_since_ms`: its code, name, township, county and the indicators (derived ones
    /// evaluated on the village's own values).
    ///
    /// # Errors
    /// On an indicator not in the cube or a polars failure.
    pub fn village_rows(&self, selection: &Selection, changed_since_ms: Option<i64>) -> Result<Report, CubeError> {
        let measures = self.selected(selection)?;
        let mut needed: BTreeSet<&str> = BTreeSet::from([CODE, STATUS, UPDATED, "township", "county"]);
        for measure in &measures {
            match &measure.formula {
                Some(formula) => {
                    for input in formula.codes() {
                        if let Some(m) = self.measure(&input).filter(|m| !m.is_derived()) {
                            needed.insert(m.code.as_str());
                        }
                    }
                }
                None => {
                    needed.insert(measure.code.as_str());
                }
            }
        }
        let needed: Vec<&str> = needed.into_iter().collect();
        let frame = self.frame(&needed, self.rows(selection.within))?;
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
        Ok(Report { period: self.period().to_owned(), level: RegionLevel::Village, measures, rows })
    }
}

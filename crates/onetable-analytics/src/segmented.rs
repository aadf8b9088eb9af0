//! The rollup as one segmented scan (分段扫描): the cube's rows are sorted by village code, so the
//! villages of every region at any level are contiguous rows. A rollup walks each column once, run
//! by run, adding into one accumulator per region — no hashing and no group-by, which a general
//! engine cannot do because it cannot assume the order.

use std::collections::HashMap;
use std::ops::Range;

use polars::prelude::{BooleanChunked, DataType, Float64Chunked, Series};

use crate::cube::{Cube, CubeError, EntryState, BLOCK_ROWS, STATUS};

/// The regions of one level inside some rows: each region's key and the runs of rows that are its
/// villages (one run each, as codes sort; more would still be added up right).
#[derive(Debug, Default)]
pub(crate) struct Regions {
    pub keys: Vec<u64>,
    /// (region index, rows) in row order; rows whose village has no ancestor at the level are in none.
    runs: Vec<(usize, Range<usize>)>,
    pub expected: Vec<u32>,
    pub submitted: Vec<u32>,
    pub approved: Vec<u32>,
}

/// One region's values of one column: how many counted, their sum, least and greatest.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Acc {
    pub n: u32,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Default for Acc {
    fn default() -> Self {
        Self { n: 0, sum: 0.0, min: f64::INFINITY, max: f64::NEG_INFINITY }
    }
}

impl Acc {
    #[inline]
    fn add(&mut self, v: f64) {
        self.n += 1;
        self.sum += v;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// Adds the count and sum of the values whose flag is set (min and max stay untouched).
    ///
    /// Four independent partial sums: one running sum waits on the previous addition for every
    /// row, which made this loop latency-bound at ~1.2 ms a column; four chains keep the adder
    /// busy. The order of additions differs from a plain loop, which is exact for the whole
    /// numbers most indicators hold and within rounding for decimals.
    #[inline]
    fn add_sums(&mut self, values: &[f64], counted: impl Fn(usize) -> bool) {
        let (mut sums, mut n) = ([0.0f64; 4], [0u32; 4]);
        let whole = values.len() / 4 * 4;
        for (i, four) in values[..whole].chunks_exact(4).enumerate() {
            for lane in 0..4 {
                let on = counted(i * 4 + lane);
                sums[lane] += if on { four[lane] } else { 0.0 };
                n[lane] += u32::from(on);
            }
        }
        for (j, v) in values.iter().enumerate().skip(whole) {
            let on = counted(j);
            sums[0] += if on { *v } else { 0.0 };
            n[0] += u32::from(on);
        }
        self.sum += (sums[0] + sums[1]) + (sums[2] + sums[3]);
        self.n += n.iter().sum::<u32>();
    }
}

/// What a fold must keep: sums and counts only (sums, averages, ratios' inputs), or least and
/// greatest too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Sums,
    All,
}

/// A block of one value column, as the scan reads it.
enum Block {
    Number(Float64Chunked),
    Flag(BooleanChunked),
}

impl Block {
    fn of(series: &Series) -> Result<Self, CubeError> {
        Ok(match series.dtype() {
            DataType::Boolean => Self::Flag(series.bool()?.rechunk().into_owned()),
            // Numbers are held as f64 already; a cast would copy the block.
            DataType::Float64 => Self::Number(series.f64()?.rechunk().into_owned()),
            _ => Self::Number(series.cast(&DataType::Float64)?.f64()?.rechunk().into_owned()),
        })
    }

    /// Adds the values at `local` (rows of this block) whose `ok` is set into `acc`.
    fn fold(&self, local: Range<usize>, ok: &[bool], need: Need, acc: &mut Acc) {
        match self {
            Self::Number(ca) => {
                for arr in ca.downcast_iter() {
                    let values = &arr.values()[local.clone()];
                    match (arr.validity(), need) {
                        (None, Need::Sums) => acc.add_sums(values, |j| ok[j]),
                        (Some(valid), Need::Sums) => acc.add_sums(values, |j| ok[j] && valid.get_bit(local.start + j)),
                        (None, Need::All) => {
                            for (v, &k) in values.iter().zip(ok) {
                                if k {
                                    acc.add(*v);
                                }
                            }
                        }
                        (Some(valid), Need::All) => {
                            for (j, (v, &k)) in values.iter().zip(ok).enumerate() {
                                if k && valid.get_bit(local.start + j) {
                                    acc.add(*v);
                                }
                            }
                        }
                    }
                }
            }
            Self::Flag(ca) => {
                for arr in ca.downcast_iter() {
                    let (values, valid) = (arr.values(), arr.validity());
                    for (j, &k) in ok.iter().enumerate().take(local.len()) {
                        let row = local.start + j;
                        if k && valid.is_none_or(|v| v.get_bit(row)) {
                            acc.add(if values.get_bit(row) { 1.0 } else { 0.0 });
                        }
                    }
                }
            }
        }
    }
}

fn blocks(rows: &Range<usize>) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
    let last = if rows.is_empty() { 0 } else { (rows.end - 1) / BLOCK_ROWS + 1 };
    (rows.start / BLOCK_ROWS..last).map(move |block| {
        let base = block * BLOCK_ROWS;
        (block, rows.start.max(base)..rows.end.min(base + BLOCK_ROWS))
    })
}

impl Cube {
    /// The regions at the level whose ancestor column is `key`, over `rows`, with completeness, and
    /// whether each row's entry counts (state at least `min_state`), indexed from `rows.start`.
    pub(crate) fn regions(
        &self,
        key: &str,
        rows: &Range<usize>,
        min_state: EntryState,
    ) -> Result<(Regions, Vec<bool>), CubeError> {
        let mut regions = Regions::default();
        let mut index_of: HashMap<u64, usize> = HashMap::new();
        let mut ok = Vec::with_capacity(rows.len());
        // The key of the run the previous row belongs to.
        let mut open: Option<u64> = None;
        for (block, span) in blocks(rows) {
            let base = block * BLOCK_ROWS;
            let keys = self.block_series(key, block)?;
            let keys = keys.u64()?.rechunk();
            let states = self.block_series(STATUS, block)?;
            let states = states.i32()?.rechunk();
            let (Some(keys), Some(states)) = (keys.downcast_iter().next(), states.downcast_iter().next()) else {
                continue;
            };
            let (key_values, key_valid, states) = (keys.values(), keys.validity(), states.values());
            for row in span {
                let local = row - base;
                let state = states[local];
                ok.push(state >= min_state as i32);
                if key_valid.is_some_and(|v| !v.get_bit(local)) {
                    open = None;
                    continue;
                }
                let key = key_values[local];
                let index = match (open, regions.runs.last_mut()) {
                    (Some(k), Some((index, run))) if k == key => {
                        run.end = row + 1;
                        *index
                    }
                    _ => {
                        let index = *index_of.entry(key).or_insert_with(|| {
                            regions.keys.push(key);
                            regions.expected.push(0);
                            regions.submitted.push(0);
                            regions.approved.push(0);
                            regions.keys.len() - 1
                        });
                        regions.runs.push((index, row..row + 1));
                        open = Some(key);
                        index
                    }
                };
                regions.expected[index] += 1;
                regions.submitted[index] += u32::from(state == EntryState::Submitted as i32);
                regions.approved[index] += u32::from(state == EntryState::Approved as i32);
            }
        }
        Ok((regions, ok))
    }

    /// Whether each row's entry counts (state at least `min_state`), indexed from `rows.start`.
    pub(crate) fn counted(&self, rows: &Range<usize>, min_state: EntryState) -> Result<Vec<bool>, CubeError> {
        let mut ok = Vec::with_capacity(rows.len());
        for (block, span) in blocks(rows) {
            let base = block * BLOCK_ROWS;
            let states = self.block_series(STATUS, block)?;
            let states = states.i32()?.rechunk();
            for arr in states.downcast_iter() {
                ok.extend(arr.values()[span.start - base..span.end - base].iter().map(|s| *s >= min_state as i32));
            }
        }
        Ok(ok)
    }

    /// One accumulator per region of `regions` over column `name`, counting rows whose `ok` is set;
    /// least and greatest only when `need` asks for them.
    pub(crate) fn fold(
        &self,
        name: &str,
        regions: &Regions,
        rows: &Range<usize>,
        ok: &[bool],
        need: Need,
    ) -> Result<Vec<Acc>, CubeError> {
        let mut accs = vec![Acc::default(); regions.keys.len()];
        let mut first = 0;
        for (block, span) in blocks(rows) {
            let base = block * BLOCK_ROWS;
            while first < regions.runs.len() && regions.runs[first].1.end <= span.start {
                first += 1;
            }
            let column = Block::of(&self.block_series(name, block)?)?;
            for (index, run) in regions.runs[first..].iter().take_while(|(_, run)| run.start < span.end) {
                let (lo, hi) = (run.start.max(span.start), run.end.min(span.end));
                if lo < hi {
                    column.fold(lo - base..hi - base, &ok[lo - rows.start..hi - rows.start], need, &mut accs[*index]);
                }
            }
        }
        Ok(accs)
    }
}

//! Outliers (异常值) on the live cube: each village's value of an indicator against its own last
//! periods (history) and against the villages of its county this period (peers) — per inhabitant
//! where the indicator counts people or households, so that a large village is not an outlier for
//! being large. Scores are the modified z-score (median and MAD, robust to the outliers it looks
//! for; Iglewicz and Hoaglin), the z-score, or min–max bounds of mean ± k·sd.

use std::collections::HashMap;

use onetable_core::{RegionCode, RegionLevel};

use crate::cube::{Cube, CubeError, EntryState};
use crate::query::Selection;
use crate::report::Datum;

/// The indicator a count is divided by to compare villages of different size.
pub const POPULATION: &str = "POP.REGISTERED";
/// Fewer earlier periods than this: no comparison with the village's history.
pub const MIN_HISTORY: usize = 3;
/// Fewer other villages with a value than this: no comparison with the county.
pub const MIN_PEERS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    ModZ,
    Z,
    MinMax,
}

impl Method {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ModZ => "mod_z",
            Self::Z => "z",
            Self::MinMax => "min_max",
        }
    }
}

/// The least spread a baseline is given, as a share of its center (and at least 1): a village
/// whose last periods were all 2,400 is not an outlier at 2,401, and is at 24,500.
pub const MIN_SPREAD: f64 = 0.05;

/// A value against a baseline: how far, from what.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub score: f64,
    /// The median (mod_z) or the mean (z, min_max) of the baseline.
    pub center: f64,
    pub flagged: bool,
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// A baseline's center and spread, computed once and scored against many times (a county's).
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The values, sorted.
    pub sorted: Vec<f64>,
    /// The median (mod_z) or the mean (z, min_max).
    pub center: f64,
    /// MAD / 0.6745 (mod_z) or the sample sd, floored at [`MIN_SPREAD`] of the center and 1.
    pub spread: f64,
}

impl Baseline {
    /// The baseline of `values` (at least one) for `method`.
    #[must_use]
    pub fn new(method: Method, values: &[f64]) -> Self {
        let sorted = sorted(values);
        #[allow(clippy::cast_precision_loss)]
        let n = sorted.len() as f64;
        let (center, spread) = match method {
            Method::ModZ => {
                let m = median(&sorted);
                let deviations = self::sorted(&sorted.iter().map(|v| (v - m).abs()).collect::<Vec<_>>());
                let mad = median(&deviations);
                // Half the values equal: MAD is 0; the mean absolute deviation still measures
                // spread (scaled to be comparable, as IBM's SPSS does).
                let spread = if mad > 0.0 { mad / 0.6745 } else { deviations.iter().sum::<f64>() / n * 1.253_314 };
                (m, spread)
            }
            Method::Z | Method::MinMax => {
                let mean = sorted.iter().sum::<f64>() / n;
                let var =
                    if n > 1.0 { sorted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
                (mean, var.sqrt())
            }
        };
        Self { spread: spread.max(MIN_SPREAD * center.abs()).max(1.0), sorted, center }
    }

    /// `x` against it at `threshold`.
    #[must_use]
    pub fn score(&self, threshold: f64, x: f64) -> Score {
        let s = (x - self.center) / self.spread;
        Score { score: s, center: self.center, flagged: s.abs() > threshold }
    }

    /// How many of its values are below and above `x`.
    #[must_use]
    pub fn ranks(&self, x: f64) -> (usize, usize) {
        let below = self.sorted.partition_point(|v| *v < x);
        let above = self.sorted.len() - self.sorted.partition_point(|v| *v <= x);
        (below, above)
    }
}

/// `x` against `base` (at least one value) by `method` at `threshold`.
#[must_use]
pub fn score(method: Method, threshold: f64, x: f64, base: &[f64]) -> Score {
    Baseline::new(method, base).score(threshold, x)
}

/// A flagged value.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub village: u64,
    pub indicator: String,
    pub value: f64,
    /// `history` or `peers`.
    pub against: &'static str,
    pub score: f64,
    /// The baseline's center, in the compared unit (per 1,000 inhabitants against peers for counts).
    pub baseline: f64,
    /// Why, in Chinese: 比上期（2024）增长 900%, 高于全县 99% 的村…
    pub reason: String,
    /// The periods and values compared against, oldest first (history) — empty for peers.
    pub history: Vec<(String, f64)>,
}

/// What an outlier search asks.
#[derive(Debug, Clone)]
pub struct OutlierAsk {
    /// Villages flagged lie inside it; their peers are their counties' villages.
    pub within: Option<RegionCode>,
    pub indicators: Vec<String>,
    pub method: Method,
    pub threshold: f64,
    pub history: bool,
    pub peers: bool,
    pub min_state: EntryState,
}

/// What was looked at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checked {
    /// Village values compared.
    pub values: usize,
    /// Of them, with fewer than [`MIN_HISTORY`] earlier periods (not compared with history).
    pub short_history: usize,
}

/// Each village's numeric values of `indicators` in `cube` inside `within` (entries at least
/// `min_state`), in the order of `indicators`; an indicator the cube does not hold is `None`.
///
/// # Errors
/// A polars failure.
pub fn village_values(
    cube: &Cube,
    containing: &[&Cube],
    within: Option<RegionCode>,
    indicators: &[String],
    min_state: EntryState,
) -> Result<HashMap<u64, Vec<Option<f64>>>, CubeError> {
    let known: Vec<String> = indicators.iter().filter(|c| cube.measure(c).is_some()).cloned().collect();
    let selection = Selection { within, indicators: known.clone(), min_state };
    let report = cube.village_rows_with(&selection, None, containing)?;
    let slot: Vec<Option<usize>> = indicators.iter().map(|c| known.iter().position(|k| k == c)).collect();
    Ok(report
        .rows
        .into_iter()
        .filter_map(|row| {
            let code = row.code.parse::<u64>().ok()?;
            let values = slot
                .iter()
                .map(|at| match at.and_then(|p| row.values.get(p)) {
                    Some(Datum::Number(n)) => Some(*n),
                    _ => None,
                })
                .collect();
            Some((code, values))
        })
        .collect())
}

/// The values of earlier periods, newest first: each period's name and its villages' values in
/// the order of the asked indicators (see [`village_values`]).
pub type History = [(String, HashMap<u64, Vec<Option<f64>>>)];

fn percent(change: f64) -> String {
    format!("{:.0}%", change * 100.0)
}

fn plain(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// The outliers of `current` (a period's cube; `containing` the cubes of its quarter and year)
/// against `history` (earlier periods' values, newest first).
///
/// # Errors
/// An indicator not in the cube, or a polars failure.
pub fn outliers(
    current: &Cube,
    containing: &[&Cube],
    history: &History,
    ask: &OutlierAsk,
) -> Result<(Vec<Flag>, Checked), CubeError> {
    let measures: Vec<_> = ask
        .indicators
        .iter()
        .map(|code| current.measure(code).cloned())
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| CubeError::Polars(polars::prelude::polars_err!(ColumnNotFound: "indicator")))?;
    // Peers are the whole county's villages, even when a township is asked for.
    let area =
        ask.within.map(|w| if w.level() > RegionLevel::County { w.truncated_to(RegionLevel::County) } else { w });
    let mut read: Vec<String> = ask.indicators.clone();
    // People and households grow with the village; grids, groups, cattle and cadres much less.
    let per_head = |i: usize| {
        measures[i].is_count()
            && matches!(measures[i].unit.as_str(), "人" | "户")
            && measures[i].code != POPULATION
            && current.measure(POPULATION).is_some()
    };
    if (0..measures.len()).any(per_head) && !read.iter().any(|c| c == POPULATION) {
        read.push(POPULATION.to_owned());
    }
    let population_at = read.iter().position(|c| c == POPULATION);
    let now = village_values(current, containing, area, &read, ask.min_state)?;
    let earlier = if ask.history { history } else { &[] };
    let inside =
        |village: u64| ask.within.is_none_or(|w| RegionCode::from_number(village).is_ok_and(|v| w.contains(v)));
    let county_of =
        |village: u64| RegionCode::from_number(village).map_or(0, |v| v.truncated_to(RegionLevel::County).number());
    let mut flags = Vec::new();
    let mut checked = Checked::default();
    for (i, measure) in measures.iter().enumerate() {
        if !measure.kind.is_numeric() && !measure.is_derived() {
            continue;
        }
        // The compared value: per 1,000 inhabitants for a count, else as it is.
        let compared = |values: &Vec<Option<f64>>| -> Option<f64> {
            let x = values[i]?;
            if per_head(i) {
                let people = values[population_at?]?;
                (people > 0.0).then(|| x / people * 1000.0)
            } else {
                Some(x)
            }
        };
        // Each county's baseline once: its villages' values, this one's among them (the median
        // and MAD do not move for one outlier; a leave-one-out baseline per village would cost a
        // sort per village).
        let mut by_county: HashMap<u64, Vec<f64>> = HashMap::new();
        for (&village, values) in &now {
            if let Some(x) = compared(values) {
                by_county.entry(county_of(village)).or_default().push(x);
            }
        }
        let baselines: HashMap<u64, Baseline> = by_county
            .into_iter()
            .filter(|(_, values)| values.len() > MIN_PEERS)
            .map(|(county, values)| (county, Baseline::new(ask.method, &values)))
            .collect();
        for (&village, values) in now.iter().filter(|(v, _)| inside(**v)) {
            let Some(x) = values[i] else { continue };
            checked.values += 1;
            if ask.history {
                let past: Vec<(String, f64)> =
                    earlier.iter().filter_map(|(name, map)| Some((name.clone(), map.get(&village)?[i]?))).collect();
                if past.len() < MIN_HISTORY {
                    checked.short_history += 1;
                } else {
                    let base: Vec<f64> = past.iter().map(|(_, v)| *v).collect();
                    let s = score(ask.method, ask.threshold, x, &base);
                    if s.flagged {
                        let (last_name, last) = &past[0];
                        let reason = if *last != 0.0 {
                            let change = (x - last) / last.abs();
                            let word = if change >= 0.0 { "增长" } else { "下降" };
                            format!(
                                "比上期（{last_name}）{word} {}；前 {} 期中位 {}",
                                percent(change.abs()),
                                past.len(),
                                plain(median(&sorted(&base)))
                            )
                        } else {
                            format!(
                                "上期（{last_name}）为 0，本期 {}；前 {} 期中位 {}",
                                plain(x),
                                past.len(),
                                plain(median(&sorted(&base)))
                            )
                        };
                        flags.push(Flag {
                            village,
                            indicator: measure.code.clone(),
                            value: x,
                            against: "history",
                            score: s.score,
                            baseline: s.center,
                            reason,
                            history: past.iter().rev().cloned().collect(),
                        });
                    }
                }
            }
            if ask.peers {
                let Some(me) = compared(values) else { continue };
                let Some(baseline) = baselines.get(&county_of(village)) else { continue };
                let s = baseline.score(ask.threshold, me);
                if s.flagged {
                    // Of the other villages: this one is among the values.
                    #[allow(clippy::cast_precision_loss)]
                    let n = (baseline.sorted.len() - 1) as f64;
                    let (below, above) = baseline.ranks(me);
                    #[allow(clippy::cast_precision_loss)]
                    let (below, above) = (below as f64 / n, above as f64 / n);
                    let unit = if per_head(i) { "（按每千户籍人口）" } else { "" };
                    let reason = if me >= s.center {
                        format!("高于全县 {} 的村{unit}；全县中位 {}", percent(below), plain(s.center))
                    } else {
                        format!("低于全县 {} 的村{unit}；全县中位 {}", percent(above), plain(s.center))
                    };
                    flags.push(Flag {
                        village,
                        indicator: measure.code.clone(),
                        value: x,
                        against: "peers",
                        score: s.score,
                        baseline: s.center,
                        reason,
                        history: Vec::new(),
                    });
                }
            }
        }
    }
    // The strongest first.
    flags.sort_by(|a, b| {
        b.score.abs().total_cmp(&a.score.abs()).then(a.village.cmp(&b.village)).then(a.indicator.cmp(&b.indicator))
    });
    Ok((flags, checked))
}

#[cfg(test)]
mod tests {
    use super::{score, Method};

    #[test]
    fn scores_match_their_textbook_definitions() {
        // numpy: median 10, MAD 1 → 0.6745 × (20 − 10) / 1
        let s = score(Method::ModZ, 3.5, 20.0, &[9.0, 10.0, 11.0, 10.0, 12.0, 8.0]);
        assert!((s.score - 6.745).abs() < 1e-9, "{s:?}");
        assert!(s.flagged);
        // mean 10, sample sd 2 → (14 − 10) / 2
        let s = score(Method::Z, 3.0, 14.0, &[8.0, 10.0, 12.0]);
        assert!((s.score - 2.0).abs() < 1e-9 && !s.flagged, "{s:?}");
        // every earlier value equal: the spread is 5 % of the center (120), so a small change
        // passes and a tenfold one does not
        assert!(!score(Method::ModZ, 3.5, 2401.0, &[2400.0, 2400.0, 2400.0]).flagged);
        let s = score(Method::ModZ, 3.5, 24_500.0, &[2400.0, 2400.0, 2400.0]);
        assert!(s.flagged && (s.score - (24_500.0 - 2400.0) / 120.0).abs() < 1e-9, "{s:?}");
    }
}

//! Building a period's cube from the store (立方构建): the registry's view of the period's
//! indicators, every village with its entry state and stored values; and reading the current
//! state of some villages' entries, to apply to a cube without rebuilding it.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use onetable_analytics::{Cube, CubeBuilder, EntryState, Measure, MeasureKind, VillageEntry};
use onetable_core::formula::{self, Expr, ExprKind};
use onetable_core::indicator::{IndicatorStatus, Sensitivity, ValueType};
use onetable_core::{Period, RegionCode};
use onetable_store::{cells, cube_source, registry, DbConn};

use crate::problem::Problem;

pub(crate) fn millis(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp_millis()
}

pub(crate) fn load_entries(conn: &mut DbConn, period: &str, villages: &[String]) -> Result<Vec<VillageEntry>, Problem> {
    let rows = onetable_store::entries::entries_of(conn, period, villages)?;
    let mut values: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for value in cells::values_of(conn, period, villages)? {
        values.entry(value.region_code).or_default().push((value.indicator_code, value.value));
    }
    let mut out = Vec::with_capacity(villages.len());
    for village in villages {
        let Ok(code) = RegionCode::parse(village) else { continue };
        let entry = rows.iter().find(|e| &e.region_code == village);
        out.push(VillageEntry {
            code,
            state: entry.map_or(EntryState::Open, |e| EntryState::from_status(&e.status)),
            updated_ms: entry.map_or(0, |e| millis(e.updated_at)),
            values: values.remove(village).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The cube's view of the registry for a period: the active indicators of its frequency, derived
/// formulas with derived inputs expanded to stored ones.
///
/// # Errors
/// On a database fault or a stored formula that no longer parses.
pub fn measures(conn: &mut DbConn, period: Period) -> Result<Vec<Measure>, Problem> {
    let current = registry::current(conn)?;
    let mut defs = Vec::new();
    for row in current.values() {
        if row.status != IndicatorStatus::Active.as_ref() || row.frequency != period.frequency().as_ref() {
            continue;
        }
        defs.push(row.to_def().map_err(Problem::internal)?);
    }
    let formulas: HashMap<String, Expr> =
        defs.iter().filter_map(|d| Some((d.code.clone(), formula::parse(d.formula.as_deref()?).ok()?))).collect();
    Ok(defs
        .into_iter()
        .map(|def| Measure {
            kind: match def.value_type {
                ValueType::Integer => MeasureKind::Integer,
                ValueType::Decimal { .. } => MeasureKind::Decimal,
                ValueType::Boolean => MeasureKind::Boolean,
                _ => MeasureKind::Text,
            },
            formula: formulas.get(&def.code).map(|f| expand(f, &formulas, 0)),
            sensitive: def.sensitivity == Sensitivity::Sensitive,
            code: def.code,
            name: def.name,
            unit: def.unit,
            aggregation: def.aggregation,
        })
        .collect())
}

/// Replaces derived inputs by their formulas (the registry refuses cycles; the depth cap is a
/// second guard).
fn expand(expr: &Expr, formulas: &HashMap<String, Expr>, depth: usize) -> Expr {
    let mut out = expr.clone();
    out.kind = match &expr.kind {
        ExprKind::Code(code) if depth < 16 => match formulas.get(code) {
            Some(inner) => return expand(inner, formulas, depth + 1),
            None => ExprKind::Code(code.clone()),
        },
        ExprKind::Unary(op, inner) => ExprKind::Unary(*op, Box::new(expand(inner, formulas, depth))),
        ExprKind::Binary(op, l, r) => {
            ExprKind::Binary(*op, Box::new(expand(l, formulas, depth)), Box::new(expand(r, formulas, depth)))
        }
        ExprKind::Call(f, args) => ExprKind::Call(*f, args.iter().map(|a| expand(a, formulas, depth)).collect()),
        other => other.clone(),
    };
    out
}

/// Builds the cube of `period` from the store; returns it with the latest entry change it holds.
///
/// # Errors
/// On a database fault.
pub fn build(conn: &mut DbConn, period: Period) -> Result<(Cube, Option<NaiveDateTime>), Problem> {
    let key = period.to_string();
    let measures = measures(conn, period)?;
    let villages: Vec<RegionCode> =
        cube_source::current_villages(conn)?.iter().filter_map(|c| RegionCode::parse(c).ok()).collect();
    let names = cube_source::current_names(conn)?
        .into_iter()
        .filter_map(|(code, name)| Some((code.parse::<u64>().ok()?, name)))
        .collect();
    let mut builder = CubeBuilder::new(&key, measures, villages, names);
    let mut latest = None;
    for (village, status, updated) in cube_source::period_entries(conn, &key)? {
        if let Ok(code) = village.parse::<u64>() {
            builder.entry(code, EntryState::from_status(&status), millis(updated));
        }
        latest = latest.max(Some(updated));
    }
    cube_source::for_each_value(conn, &key, |village, indicator, value| {
        if let Ok(code) = village.parse::<u64>() {
            builder.value(code, indicator, value);
        }
    })?;
    let cube = builder.finish();
    tracing::info!(period = %key, villages = cube.villages(), bytes = cube.estimated_bytes(), "cube built");
    Ok((cube, latest))
}

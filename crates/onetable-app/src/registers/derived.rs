//! Counts derived live (台账自动统计): an indicator whose formula is a register aggregate is kept
//! in each village's entry with source `register`, recomputed in the same transaction as the
//! record change that moves it — no nightly job. An entry already submitted or approved is
//! never rewritten: its reviewer sees the change as one to confirm ([`live`]).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use onetable_core::indicator::{Frequency, ValueType};
use onetable_core::register::aggregate::{self, Aggregate};
use onetable_core::workflow::EntryStatus;
use onetable_core::Period;
use onetable_store::registers::records::{self, RecordRow};
use onetable_store::DbConn;
use serde::Serialize;
use utoipa::ToSchema;

use super::record_view::plain_of;
use crate::entries::{write_cells, Change};
use crate::problem::Problem;

/// An indicator that reads a register.
#[derive(Debug, Clone)]
pub struct Reader {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub frequency: Frequency,
    pub value_type: ValueType,
    pub formula: String,
    pub aggregate: Aggregate,
}

/// Every active indicator derived from a register, by register.
///
/// # Errors
/// On a database error.
pub fn readers(conn: &mut DbConn) -> Result<BTreeMap<String, Vec<Reader>>, Problem> {
    let mut out: BTreeMap<String, Vec<Reader>> = BTreeMap::new();
    for row in onetable_store::registry::current(conn)?.into_values() {
        let Some(text) = row.register_aggregate.clone().filter(|_| row.status == "active") else { continue };
        let (Ok(aggregate), Ok(def)) = (aggregate::parse(&text), row.to_def()) else { continue };
        out.entry(aggregate.register.clone()).or_default().push(Reader {
            code: row.code,
            name: row.name,
            unit: row.unit,
            frequency: def.frequency,
            value_type: def.value_type,
            formula: text,
            aggregate,
        });
    }
    Ok(out)
}

/// Whether a record is on the list at the end of `day`.
#[must_use]
pub fn open_on(record: &RecordRow, day: NaiveDate) -> bool {
    record.opened_on.is_none_or(|d| d <= day) && record.closed_on.is_none_or(|d| d > day)
}

/// The aggregate over the records open at the period's end, in the indicator's stored form.
///
/// # Errors
/// 500 for a corrupt record.
pub fn value(reader: &Reader, records: &[RecordRow], period: Period) -> Result<String, Problem> {
    let end = onetable_core::deadline::last_day(period);
    let values: Vec<BTreeMap<String, String>> =
        records.iter().filter(|r| open_on(r, end)).map(plain_of).collect::<Result<_, _>>()?;
    let total = reader.aggregate.evaluate(&values);
    Ok(match reader.value_type {
        #[allow(clippy::cast_possible_truncation)]
        ValueType::Integer => (total.round() as i64).to_string(),
        _ => total.to_string(),
    })
}

/// The periods a change today reaches: the form being filled (the last period that has ended)
/// and the period under way. Older periods keep what they were submitted with.
#[must_use]
pub fn open_periods(frequency: Frequency, today: NaiveDate) -> [Period; 2] {
    #[allow(clippy::cast_possible_truncation)]
    let month = today.month() as u8;
    [Period::last_closed(frequency, today.year(), month), Period::containing(frequency, today.year(), month)]
}

/// Recomputes the indicators `register` feeds in `village` and writes the ones that moved, in the
/// caller's transaction. The form being filled is created as a draft if it does not exist yet;
/// the period under way only if its entry exists. Entries submitted or approved are left alone.
///
/// # Errors
/// On a database error.
pub fn refresh(
    conn: &mut DbConn,
    register: &str,
    village: &str,
    today: NaiveDate,
    actor: &str,
    now: NaiveDateTime,
) -> Result<(), Problem> {
    let readers = readers(conn)?.remove(register).unwrap_or_default();
    if readers.is_empty() {
        return Ok(());
    }
    let records = records::of_village(conn, register, village)?;
    let mut cells: BTreeMap<Period, Vec<(String, Option<String>)>> = BTreeMap::new();
    for reader in &readers {
        let [due, under_way] = open_periods(reader.frequency, today);
        for period in [due, under_way] {
            cells.entry(period).or_default().push((reader.code.clone(), Some(value(reader, &records, period)?)));
        }
    }
    let reason = format!("来自台账 {register}");
    for (period, cells) in cells {
        let entry = onetable_store::entries::find(conn, village, &period.to_string())?;
        let is_due = readers.iter().any(|r| open_periods(r.frequency, today)[0] == period);
        let revision = match &entry {
            Some(e) if e.status.parse::<EntryStatus>().is_ok_and(EntryStatus::editable) => e.revision,
            None if is_due => 0,
            _ => continue,
        };
        let change = Change { actor, source: "register", reason: Some(reason.clone()), now };
        write_cells(conn, village, &period.to_string(), revision, &cells, &change)?;
    }
    Ok(())
}

/// A register-derived value of a village's entry, as the form shows it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct RegisterValue {
    pub indicator: String,
    pub register: String,
    pub register_name: String,
    /// What the register gives now for the period.
    pub value: String,
    /// What the entry holds (none yet: null).
    pub stored: Option<String>,
    /// The entry is submitted or approved and holds another value: the reviewer confirms it.
    pub to_confirm: bool,
}

/// The register-derived values of a village's entry, live, for the form's indicators.
///
/// # Errors
/// On a database error.
pub fn live(
    conn: &mut DbConn,
    village: &str,
    form: &crate::entries::Form,
    stored: &BTreeMap<String, String>,
    locked: bool,
) -> Result<Vec<RegisterValue>, Problem> {
    let on_form: Vec<Reader> = form
        .entered
        .values()
        .filter_map(|def| {
            let text = def.register_aggregate.clone()?;
            Some(Reader {
                aggregate: aggregate::parse(&text).ok()?,
                code: def.code.clone(),
                name: def.name.clone(),
                unit: def.unit.clone(),
                frequency: def.frequency,
                value_type: def.value_type.clone(),
                formula: text,
            })
        })
        .collect();
    if on_form.is_empty() {
        return Ok(Vec::new());
    }
    let names: BTreeMap<String, String> =
        onetable_store::registers::current(conn)?.into_values().map(|r| (r.code, r.name)).collect();
    let mut records_of: BTreeMap<String, Vec<RecordRow>> = BTreeMap::new();
    let mut out = Vec::new();
    for reader in on_form {
        let register = reader.aggregate.register.clone();
        if !records_of.contains_key(&register) {
            let rows = records::of_village(conn, &register, village)?;
            records_of.insert(register.clone(), rows);
        }
        let value = value(&reader, &records_of[&register], form.period)?;
        let held = stored.get(&reader.code).cloned();
        out.push(RegisterValue {
            to_confirm: locked && held.as_ref() != Some(&value),
            indicator: reader.code,
            register_name: names.get(&register).cloned().unwrap_or_default(),
            register,
            value,
            stored: held,
        });
    }
    Ok(out)
}

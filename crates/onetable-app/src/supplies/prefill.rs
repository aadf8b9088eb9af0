//! Supplied values in the village's form (预填): written into an editable entry where the cell is
//! empty or still holds an unconfirmed supplied value (source `supplied`); never over what the
//! clerk typed or confirmed — a newer number then waits beside the field ("民政局有新数据"). The
//! clerk confirms (source `confirmed`) or corrects it like any value.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use onetable_core::workflow::EntryStatus;
use onetable_store::supplies::{self as store, SuppliedValueRow};
use onetable_store::DbConn;
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::Actor;
use crate::entries::access::{authorize_write, with_form, EntryRef, EDITORS};
use crate::entries::view::{view, Entry};
use crate::entries::{edit_event, write_cells, Change};
use crate::problem::{AppResult, Problem};
use crate::App;

/// What a push did to the villages' forms.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct Prefilled {
    /// Cells written into forms (empty, or an earlier supplied value).
    pub prefilled: usize,
    /// Cells the clerk had typed or confirmed with another value: kept, the new number offered.
    pub offered: usize,
    /// Cells of forms already submitted or approved: kept as supplied, the form untouched.
    pub locked: usize,
}

/// Writes supplied values into the villages' editable forms.
///
/// # Errors
/// On a database error.
pub fn apply(
    conn: &mut DbConn,
    rows: &[SuppliedValueRow],
    department: &str,
    actor: &str,
    now: NaiveDateTime,
) -> Result<Prefilled, Problem> {
    let mut by_entry: BTreeMap<(&str, &str), Vec<&SuppliedValueRow>> = BTreeMap::new();
    for row in rows {
        by_entry.entry((row.region_code.as_str(), row.period.as_str())).or_default().push(row);
    }
    let mut done = Prefilled::default();
    // The villages' open corrections of these supplies: one that now matches the department's
    // number is closed.
    let mut open = std::collections::HashSet::new();
    for supply in rows.iter().map(|r| r.supply_id).collect::<std::collections::BTreeSet<_>>() {
        open.extend(onetable_store::supply_discrepancies::open_of_supply(conn, supply)?);
    }
    for ((region, period), rows) in by_entry {
        for row in rows.iter().filter(|r| {
            open.contains(&(region.to_owned(), period.to_owned(), r.indicator_code.clone(), r.value.clone()))
        }) {
            onetable_store::supply_discrepancies::resolve(conn, region, period, &row.indicator_code, &row.value, true)?;
        }
        let entry = onetable_store::entries::find(conn, region, period)?;
        let revision = match &entry {
            Some(e) if !e.status.parse::<EntryStatus>().is_ok_and(EntryStatus::editable) => {
                done.locked += rows.len();
                continue;
            }
            Some(e) => e.revision,
            None => 0,
        };
        let current: BTreeMap<String, (String, String)> = onetable_store::entries::values(conn, region, period)?
            .into_iter()
            .map(|v| (v.indicator_code, (v.value, v.source)))
            .collect();
        let mut cells = Vec::new();
        for row in &rows {
            match current.get(&row.indicator_code) {
                Some((value, _)) if *value == row.value => {}
                None => cells.push((row.indicator_code.clone(), Some(row.value.clone()))),
                Some((_, source)) if source == "supplied" => {
                    cells.push((row.indicator_code.clone(), Some(row.value.clone())));
                }
                Some(_) => done.offered += 1,
            }
        }
        if cells.is_empty() {
            continue;
        }
        done.prefilled += cells.len();
        let as_of = rows.iter().map(|r| r.as_of).max().unwrap_or(NaiveDate::MIN);
        let change =
            Change { actor, source: "supplied", reason: Some(format!("{department}供给，截至 {as_of}")), now };
        write_cells(conn, region, period, revision, &cells, &change)?;
    }
    Ok(done)
}

/// The clerk confirms supplied values (一键确认, or one field): each cell takes the supplier's
/// latest number with source `confirmed` — a prefilled one keeps its value, a newer one offered
/// replaces what was typed. `codes` empty: every supplied value of the form.
///
/// # Errors
/// As an edit (403, 428, 412, 409 locked); 422 a code with no supplied value.
pub async fn confirm(
    app: &App,
    actor: &Actor,
    at: EntryRef,
    if_match: Option<&str>,
    codes: Vec<String>,
) -> AppResult<Entry> {
    let revision = authorize_write(app, actor, "entries.edit", at, &EDITORS, if_match).await?;
    let subject = actor.subject.clone();
    let event = actor.event("entries.confirm_supplied", Some(format!("{}/{}", at.region, at.period)), "success");
    with_form(app, at, true, move |conn, form| {
        let (region, period) = (at.region.to_string(), at.period.to_string());
        let supplied: BTreeMap<String, (SuppliedValueRow, String)> = store::of_entry(conn, &region, &period)?
            .into_iter()
            .filter(|(row, _)| form.entered.contains_key(&row.indicator_code))
            .map(|(row, department)| (row.indicator_code.clone(), (row, department)))
            .collect();
        let wanted: Vec<String> = if codes.is_empty() { supplied.keys().cloned().collect() } else { codes };
        let mut missing =
            Problem::unprocessable("validation_failed", "部分指标没有部门供给的数据，无法确认；全部未保存");
        for code in wanted.iter().filter(|c| !supplied.contains_key(*c)) {
            missing = missing.with_detail(Some(code), "not_supplied", format!("{code} 没有部门供给的数据"));
        }
        if missing.has_details() {
            return Err(missing);
        }
        let current: BTreeMap<String, String> = onetable_store::entries::values(conn, &region, &period)?
            .into_iter()
            .map(|v| (v.indicator_code, v.value))
            .collect();
        let (same, taken): (Vec<&String>, Vec<&String>) =
            wanted.iter().partition(|code| current.get(*code) == Some(&supplied[*code].0.value));
        let cells: Vec<(String, Option<String>)> =
            taken.iter().map(|code| ((*code).clone(), Some(supplied[*code].0.value.clone()))).collect();
        let departments: Vec<&str> = {
            let mut names: Vec<&str> = wanted.iter().map(|c| supplied[c].1.as_str()).collect();
            names.dedup();
            names
        };
        let reason = format!("确认{}供给的数据", departments.join("、"));
        if !cells.is_empty() {
            let change = Change {
                actor: &subject,
                source: "confirmed",
                reason: Some(reason.clone()),
                now: chrono::Utc::now().naive_utc(),
            };
            let written = write_cells(conn, &region, &period, revision, &cells, &change)?;
            if let Some(event) = edit_event(event.clone(), &written) {
                onetable_store::audit::record(conn, &event)?;
            }
        } else {
            // Only the mark changes: the entry's revision must still be the one the clerk read.
            let entry = onetable_store::entries::find(conn, &region, &period)?;
            match entry {
                Some(e) if e.revision != revision => return Err(crate::entries::stale(e.revision)),
                Some(e) if !e.status.parse::<EntryStatus>().is_ok_and(EntryStatus::editable) => {
                    return Err(crate::entries::locked(&e.status))
                }
                _ => {}
            }
        }
        let same: Vec<String> = same.into_iter().cloned().collect();
        if store::confirm_sources(conn, &region, &period, &same)? > 0 {
            let mut event = event;
            event.detail = Some(reason);
            onetable_store::audit::record(conn, &event)?;
        }
        view(conn, form, at.region, at.period)
    })
    .await
}

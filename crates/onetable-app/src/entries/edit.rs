//! Changing values (填报): a PATCH of some cells, and "nothing changed" (carry last period's
//! values forward). Every cell is checked; one bad cell saves nothing.

use std::collections::BTreeMap;

use onetable_core::value::RawCell;
use onetable_store::entries as store;

use super::access::{authorize_write, with_form, EntryRef, EDITORS};
use super::form::outer_cells;
use super::view::{view, Entry, PatchResult};
use super::{check_cells, edit_event, write_cells, Change};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

/// The village's clerk changes some values ([`RawCell::Null`] clears one; `None`: a value of no
/// kind a cell holds, refused). Answers the new revision and the rule results at once.
///
/// # Errors
/// 403 not this village's clerk, 428/400 no or a bad revision, 412 stale, 409 locked, 422 a cell
/// refused (one detail per cell); nothing is saved then.
pub async fn edit(
    app: &App,
    actor: &Actor,
    at: EntryRef,
    if_match: Option<&str>,
    cells: Vec<(String, Option<RawCell>)>,
    reason: Option<String>,
) -> AppResult<PatchResult> {
    let revision = authorize_write(app, actor, "entries.edit", at, &EDITORS, if_match).await?;
    let mut shape = Problem::unprocessable("validation_failed", "有填报值不符合要求，全部未保存，请按提示修改");
    let mut readable = Vec::with_capacity(cells.len());
    for (code, cell) in cells {
        match cell {
            Some(cell) => readable.push((code, cell)),
            None => shape = shape.with_detail(Some(&code), "invalid_value", "值应为数字、是/否、文本或 null"),
        }
    }
    if shape.has_details() {
        return Err(shape);
    }
    let cells = readable;
    let subject = actor.subject.clone();
    let event = actor.event("entries.edit", Some(format!("{}/{}", at.region, at.period)), "success");
    with_form(app, at, true, move |conn, form| {
        let checked = check_cells(form, &cells)?;
        let change = Change { actor: &subject, source: "entry", reason, now: chrono::Utc::now().naive_utc() };
        let written = write_cells(conn, &at.region.to_string(), &at.period.to_string(), revision, &checked, &change)?;
        // In the write's own transaction: no change without its audit event.
        if let Some(event) = edit_event(event, &written) {
            onetable_store::audit::record(conn, &event)?;
        }
        // Rules and derived values are evaluated from the values the write left, not read back.
        let outer = outer_cells(conn, form, &at.region.to_string())?;
        Ok(PatchResult::new(form, &written.entry, &written.values, &outer))
    })
    .await
}

/// The clerk confirms that last period's values still hold: they are copied into this period
/// (source `carried_forward`), for `codes` or, when empty, every value last period had.
///
/// # Errors
/// As [`edit`]; 422 when a code had no value last period.
pub async fn carry_forward(
    app: &App,
    actor: &Actor,
    at: EntryRef,
    if_match: Option<&str>,
    codes: Vec<String>,
) -> AppResult<Entry> {
    let revision = authorize_write(app, actor, "entries.edit", at, &EDITORS, if_match).await?;
    let subject = actor.subject.clone();
    let event = actor.event("entries.carry_forward", Some(format!("{}/{}", at.region, at.period)), "success");
    with_form(app, at, true, move |conn, form| {
        let (region, period) = (at.region, at.period);
        let previous: BTreeMap<String, String> =
            store::values(conn, &region.to_string(), &period.previous().to_string())?
                .into_iter()
                .filter(|v| form.entered.contains_key(&v.indicator_code))
                .map(|v| (v.indicator_code, v.value))
                .collect();
        let wanted: Vec<String> = if codes.is_empty() { previous.keys().cloned().collect() } else { codes };
        let mut missing = Problem::unprocessable("validation_failed", "部分指标上期没有数值，无法沿用；全部未保存");
        let mut cells = Vec::new();
        for code in wanted {
            match previous.get(&code) {
                Some(value) => cells.push((code, RawCell::Text(value.clone()))),
                None => {
                    missing = missing.with_detail(
                        Some(&code),
                        "no_previous_value",
                        format!("{code} 上期（{}）没有数值", period.previous()),
                    );
                }
            }
        }
        if missing.has_details() {
            return Err(missing);
        }
        let checked = check_cells(form, &cells)?;
        let change = Change {
            actor: &subject,
            source: "carried_forward",
            reason: Some(format!("沿用 {} 数据", period.previous())),
            now: chrono::Utc::now().naive_utc(),
        };
        let written = write_cells(conn, &region.to_string(), &period.to_string(), revision, &checked, &change)?;
        if let Some(event) = edit_event(event, &written) {
            onetable_store::audit::record(conn, &event)?;
        }
        view(conn, form, region, period)
    })
    .await
}

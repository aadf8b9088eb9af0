//! Writing an entry: claiming the next revision (optimistic concurrency), changing cells, moving
//! the status. Each runs inside the caller's transaction.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use onetable_store::entries::{self, CellEdit, EditStamp, EntryRow, NewEntryEvent};
use onetable_store::DbConn;

use onetable_core::workflow::{EntryStatus, Step};

use crate::problem::Problem;

/// 412: somebody changed the entry since the caller read it.
#[must_use]
pub fn stale(current: i64) -> Problem {
    Problem::stale(
        "stale_revision",
        format!("该表已被他人修改（当前版本 {current}），请刷新后重新填写；本次修改未保存"),
        current,
    )
}

/// Who is changing an entry, and how.
pub struct Change<'a> {
    pub actor: &'a str,
    pub source: &'a str,
    pub reason: Option<String>,
    pub now: NaiveDateTime,
}

/// Takes the entry from revision `if_match` to the next one — from here until the transaction ends,
/// no other writer can move it — and returns the entry as it now is. `if_match` 0 means the entry
/// does not exist yet: it is created as a draft.
fn claim(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    if_match: i64,
    change: &Change<'_>,
) -> Result<EntryRow, Problem> {
    let claimed = if if_match > 0 {
        entries::bump_existing(conn, region, period, if_match, change.actor, change.now)?
    } else {
        entries::create_draft(conn, region, period, change.actor, change.now)?
    };
    match claimed {
        Some(entry) => Ok(entry),
        None => Err(stale(entries::find(conn, region, period)?.map_or(0, |e| e.revision))),
    }
}

/// What a write of cells did: the entry after it, its values, and the cells that changed (none:
/// the revision stayed).
pub struct Written {
    pub entry: EntryRow,
    pub values: BTreeMap<String, String>,
    pub changed: Vec<String>,
}

/// The audit event of a change of cells: one per request, naming the cells it changed (their old
/// and new values are in the entry's history), or `None` when nothing changed.
#[must_use]
pub fn edit_event(
    mut event: onetable_store::audit::NewAuditEvent,
    written: &Written,
) -> Option<onetable_store::audit::NewAuditEvent> {
    if written.changed.is_empty() {
        return None;
    }
    event.detail =
        Some(format!("版本 {}：{} 项 {}", written.entry.revision, written.changed.len(), written.changed.join(",")));
    Some(event)
}

/// Writes `cells` (already checked) if the entry is still at `if_match` and editable. Returns the
/// new entry row and the values after the change. Unchanged cells are not rewritten. Runs in the
/// caller's transaction, which [`crate::App::write`] provides: an error leaves the
/// caller to roll back.
///
/// # Errors
/// 412 stale revision, 409 locked (submitted or approved), 500 on a fault; nothing is saved then.
pub fn write_cells(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    if_match: i64,
    cells: &[(String, Option<String>)],
    change: &Change<'_>,
) -> Result<Written, Problem> {
    // The values are read before the revision is claimed: the claim succeeds only if nobody wrote
    // since `if_match`, so they are the values of that revision.
    let mut values: BTreeMap<String, String> = entries::cell_values(conn, region, period)?.into_iter().collect();
    let mut changes = Vec::with_capacity(cells.len());
    for (code, value) in cells {
        let old = match value {
            Some(v) => values.insert(code.clone(), v.clone()),
            None => values.remove(code),
        };
        if old != *value {
            changes.push((code.clone(), old, value.clone()));
        }
    }
    if changes.is_empty() && if_match > 0 {
        // Nothing changes: the revision stays, but the precondition and the lock still hold.
        let current = entries::find(conn, region, period)?;
        return match current {
            Some(entry) if entry.revision != if_match => Err(stale(entry.revision)),
            Some(entry) if !editable(&entry.status) => Err(locked(&entry.status)),
            Some(entry) => Ok(Written { entry, values, changed: Vec::new() }),
            None => Err(stale(0)),
        };
    }
    let next = claim(conn, region, period, if_match, change)?;
    if !editable(&next.status) {
        return Err(locked(&next.status));
    }
    entries::apply_edit(
        conn,
        &CellEdit {
            stamp: EditStamp {
                region,
                period,
                source: change.source,
                actor: change.actor,
                reason: change.reason.as_deref(),
                revision: next.revision,
                at: change.now,
            },
            changes: &changes,
        },
    )?;
    // A village's different number over a department's supplied one flows back to the department.
    crate::supplies::discrepancies::note(conn, region, period, &changes, change)?;
    // A value marked for follow-up that changes has been looked at: its follow-up is resolved.
    crate::quality::follow_ups::note_changes(conn, region, period, &changes, change.actor, change.now)?;
    let changed = changes.into_iter().map(|(code, _, _)| code).collect();
    Ok(Written { entry: next, values, changed })
}

/// Whether values may be changed in the stored `status`.
fn editable(status: &str) -> bool {
    status.parse::<EntryStatus>().is_ok_and(EntryStatus::editable)
}

/// 409 for an entry that cannot be edited in its state.
#[must_use]
pub fn locked(status: &str) -> Problem {
    let message = match status.parse::<EntryStatus>() {
        Ok(EntryStatus::Submitted) => "该表已提交，正在审核；如需修改，请审核员退回",
        Ok(EntryStatus::Approved) => "该表已审核通过并锁定；如需修改，请先申请重新打开（reopen）",
        _ => "该表当前状态不允许此操作",
    };
    Problem::conflict("entry_locked", message).with_detail(Some("status"), "status", status.to_owned())
}

/// Takes `step` (submit, approve, return, reopen) if the entry is at `if_match` and in one of the
/// step's states, recording the event. Runs in the caller's transaction, as [`write_cells`].
///
/// # Errors
/// 412 stale revision, 409 wrong state.
pub fn transition(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    if_match: i64,
    step: &Step,
    comment: Option<String>,
    change: &Change<'_>,
) -> Result<EntryRow, Problem> {
    let mut next = claim(conn, region, period, if_match, change)?;
    let status: Option<EntryStatus> = next.status.parse().ok();
    if !status.is_some_and(|s| step.starts_from(s)) {
        return Err(locked(&next.status));
    }
    entries::set_status(conn, region, period, step.to.as_str())?;
    step.to.as_str().clone_into(&mut next.status);
    entries::record_event(
        conn,
        &NewEntryEvent {
            region_code: region.to_owned(),
            period: period.to_owned(),
            action: step.name.to_owned(),
            actor: change.actor.to_owned(),
            comment,
            revision: next.revision,
            occurred_at: change.now,
        },
    )?;
    // In the step's own transaction: an approval commits with its events for subscribed
    // department systems, or neither does.
    crate::subscriptions::outbox::note(conn, region, period, step, next.revision, change.now)?;
    Ok(next)
}

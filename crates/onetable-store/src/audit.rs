//! Audit events (审计事件): append-only; nothing in the code updates them, and the database's
//! triggers refuse it. Only the events of a month archived to a checksummed file may be deleted,
//! once older than the retention (the triggers refuse any other delete).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{audit_archives, audit_events};

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent {
    pub occurred_at: NaiveDateTime,
    pub actor: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub target: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<String>,
}

/// # Errors
/// On a database error.
pub fn record(conn: &mut DbConn, event: &NewAuditEvent) -> StoreResult<()> {
    diesel::insert_into(audit_events::table).values(event).execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

/// Matching events, newest first, and how many match in all.
///
/// # Errors
/// On a database error.
pub fn list(
    conn: &mut DbConn,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<AuditEventRow>, i64)> {
    let filtered = || {
        let mut q = audit_events::table.into_boxed();
        if let Some(actor) = &filter.actor {
            q = q.filter(audit_events::actor.eq(actor.clone()));
        }
        if let Some(action) = &filter.action {
            q = q.filter(audit_events::action.eq(action.clone()));
        }
        if let Some(since) = filter.since {
            q = q.filter(audit_events::occurred_at.ge(since));
        }
        if let Some(until) = filter.until {
            q = q.filter(audit_events::occurred_at.lt(until));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order(audit_events::id.desc())
        .limit(limit)
        .offset(offset)
        .select(AuditEventRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// A month written to an archive file.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_archives)]
pub struct AuditArchiveRow {
    /// `2026-05`
    pub month: String,
    pub events: i64,
    pub first_id: Option<i64>,
    pub last_id: Option<i64>,
    pub file_sha256: String,
    /// The hash of the month's last event: the next month's chain starts from it.
    pub head: String,
    pub archived_at: NaiveDateTime,
}

/// The events that occurred in `[from, until)`, oldest id first.
///
/// # Errors
/// On a database error.
pub fn between(conn: &mut DbConn, from: NaiveDateTime, until: NaiveDateTime) -> StoreResult<Vec<AuditEventRow>> {
    Ok(audit_events::table
        .filter(audit_events::occurred_at.ge(from).and(audit_events::occurred_at.lt(until)))
        .order(audit_events::id.asc())
        .select(AuditEventRow::as_select())
        .load(conn)?)
}

/// Every archived month, oldest first.
///
/// # Errors
/// On a database error.
pub fn archives(conn: &mut DbConn) -> StoreResult<Vec<AuditArchiveRow>> {
    Ok(audit_archives::table.order(audit_archives::month.asc()).select(AuditArchiveRow::as_select()).load(conn)?)
}

/// # Errors
/// On a database error, or a month archived already (unique).
pub fn record_archive(conn: &mut DbConn, row: &AuditArchiveRow) -> StoreResult<()> {
    diesel::insert_into(audit_archives::table).values(row).execute(conn)?;
    Ok(())
}

/// Deletes the events that occurred in `[from, until)` — a month that is archived (the triggers
/// refuse any other); how many.
///
/// # Errors
/// On a database error.
pub fn delete_between(conn: &mut DbConn, from: NaiveDateTime, until: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::delete(
        audit_events::table.filter(audit_events::occurred_at.ge(from).and(audit_events::occurred_at.lt(until))),
    )
    .execute(conn)?)
}

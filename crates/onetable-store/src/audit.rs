//! Audit events (审计事件): append-only; nothing in the code updates or deletes them, and the
//! database's triggers refuse it too.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::audit_events;

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

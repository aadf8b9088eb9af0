//! The audit trail (审计日志), for auditors only: logins, denials, changes, pulls — filtered by
//! actor, action and time, newest first.

use chrono::{NaiveDate, NaiveDateTime};
use onetable_core::Role;
use onetable_store::audit::{self, AuditFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::Actor;
use crate::paging::Page;
use crate::problem::{AppResult, Problem};
use crate::App;

/// What the auditor filters on, as written.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// RFC 3339 or a date.
    pub since: Option<String>,
    pub until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(serialize_with = "crate::time::utc")]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventPage {
    pub items: Vec<AuditEvent>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

fn parse_time(text: &str, field: &str) -> Result<NaiveDateTime, Problem> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_time(chrono::NaiveTime::MIN)))
        .map_err(|_| {
            Problem::bad_request("invalid_query", "时间格式无效").with_detail(
                Some(field),
                "invalid_time",
                "应为 RFC 3339 时间（如 2025-01-01T08:00:00Z）或日期（2025-01-01）",
            )
        })
}

/// Audit events, newest first. Auditors only; nobody can change or delete them.
/// One page of the audit trail.
///
/// # Errors
/// 403 for every role but the auditor, 400 for a bad time or page.
pub async fn events(
    app: &App,
    actor: &Actor,
    filter: EventQuery,
    (limit, offset): (Option<i64>, Option<i64>),
) -> AppResult<AuditEventPage> {
    app.authorize(actor, "audit.read", None, actor.require_role(&[Role::Auditor])).await?;
    let page = Page::new(limit, offset)?;
    let query = AuditFilter {
        actor: filter.actor,
        action: filter.action,
        since: filter.since.as_deref().map(|t| parse_time(t, "since")).transpose()?,
        until: filter.until.as_deref().map(|t| parse_time(t, "until")).transpose()?,
    };
    let (rows, total) = app.run(move |conn| Ok(audit::list(conn, &query, page.limit, page.offset)?)).await?;
    let items = rows
        .into_iter()
        .map(|r| AuditEvent {
            id: r.id,
            occurred_at: r.occurred_at,
            actor: r.actor,
            role: r.role,
            action: r.action,
            target: r.target,
            outcome: r.outcome,
            request_id: r.request_id,
            client_addr: r.client_addr,
            detail: r.detail,
        })
        .collect();
    Ok(AuditEventPage { items, total, limit: page.limit, offset: page.offset })
}

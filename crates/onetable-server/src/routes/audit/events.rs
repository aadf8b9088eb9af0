//! `GET /api/v1/audit/events`

use actix_web::{get, web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use onetable_core::Role;
use onetable_store::audit::{self, AuditFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::params::Paging;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventFilter {
    /// Username or client id.
    pub actor: Option<String>,
    /// e.g. `auth.login`, `auth.lockout`, `users.create`.
    pub action: Option<String>,
    /// From this time (RFC 3339, or a date), inclusive.
    pub since: Option<String>,
    /// Before this time (RFC 3339, or a date), exclusive.
    pub until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(serialize_with = "onetable_app::time::utc")]
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

fn parse_time(text: &str, field: &str) -> Result<NaiveDateTime, ApiError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_time(chrono::NaiveTime::MIN)))
        .map_err(|_| {
            ApiError::bad_request("invalid_query", "时间格式无效").with_detail(
                Some(field),
                "invalid_time",
                "应为 RFC 3339 时间（如 2025-01-01T08:00:00Z）或日期（2025-01-01）",
            )
        })
}

/// Audit events, newest first. Auditors only; nobody can change or delete them.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(EventFilter, Paging),
    responses((status = 200, body = AuditEventPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/audit/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<EventFilter>,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&caller, "audit.read", None, caller.require_role(&[Role::Auditor])).await?;
    let (limit, offset) = paging.resolve()?;
    let filter = filter.into_inner();
    let query = AuditFilter {
        actor: filter.actor,
        action: filter.action,
        since: filter.since.as_deref().map(|t| parse_time(t, "since")).transpose()?,
        until: filter.until.as_deref().map(|t| parse_time(t, "until")).transpose()?,
    };
    let (rows, total) = state.run(move |conn| Ok(audit::list(conn, &query, limit, offset)?)).await?;
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
    Ok(HttpResponse::Ok().json(AuditEventPage { items, total, limit, offset }))
}

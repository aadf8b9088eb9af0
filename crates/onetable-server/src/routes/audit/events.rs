//! `GET /api/v1/audit/events`

use actix_web::{get, web, HttpResponse};
use onetable_app::audit::{self, EventQuery};
use serde::Deserialize;
use utoipa::IntoParams;

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

pub use onetable_app::audit::{AuditEvent, AuditEventPage};

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
    let filter = filter.into_inner();
    let query = EventQuery { actor: filter.actor, action: filter.action, since: filter.since, until: filter.until };
    Ok(HttpResponse::Ok().json(audit::events(&state, &caller, query, (paging.limit, paging.offset)).await?))
}

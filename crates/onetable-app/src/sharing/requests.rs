//! Data requests (报表准入): a department files one; an admin whose scope covers its region
//! approves, rejects or revokes it; each side lists what it may see.

use chrono::Utc;
use onetable_core::{RegionCode, Role};
use onetable_store::{registry, sharing as store};
use serde::Serialize;
use utoipa::ToSchema;

use super::pull::{not_found, visible};
use super::{check, list_scope, DataRequest, NewDataRequest, APPROVED, PENDING, REJECTED, REVOKED};
use crate::actor::Actor;
use crate::paging::Page;
use crate::problem::{AppResult, Problem};
use crate::App;

/// A department (person or system) files a request for review. Every indicator code is checked
/// (unknown ones come with suggestions), sensitive ones need a legal basis, and the region must be
/// inside the department's jurisdiction.
///
/// # Errors
/// 403 for other roles, outside the jurisdiction, or without a department; 422 for the checks.
pub async fn file(app: &App, actor: &Actor, body: NewDataRequest) -> AppResult<DataRequest> {
    app.authorize(actor, "data_request.file", None, actor.require_role(&[Role::Department])).await?;
    let department =
        actor.department.clone().ok_or_else(|| Problem::forbidden("forbidden", "账号未归属任何部门，不能申请数据"))?;
    let now = Utc::now();
    // Checking compares names (suggestions): on the blocking pool.
    let (body, (checked, registers)) = app
        .run(move |conn| {
            let current = registry::current(conn)?;
            let checked = check(&body, &current, now)?;
            let registers = super::register_grants::check(conn, &body)?;
            Ok((body, (checked, registers)))
        })
        .await?;
    app.authorize(actor, "data_request.file", Some(checked.region.to_string()), actor.require_write(checked.region))
        .await?;
    let row = store::NewDataRequest {
        title: body.title.trim().to_owned(),
        purpose: body.purpose.trim().to_owned(),
        legal_basis: body.legal_basis.trim().to_owned(),
        department,
        requested_by: actor.subject.clone(),
        region_code: checked.region.to_string(),
        indicators: checked.indicators.join(","),
        periods: (!checked.periods.is_empty()).then(|| checked.periods.join(",")),
        frequency: checked.frequency,
        start_period: checked.start_period,
        expires_at: body.expires_at.naive_utc(),
        status: PENDING.to_owned(),
        created_at: now.naive_utc(),
        registers,
        full_values_asked: body.full_values,
    };
    let saved = app.write(move |conn| Ok(store::insert(conn, &row)?)).await?;
    let mut event = actor.event("data_request.file", Some(saved.id.to_string()), "success");
    event.detail = Some(saved.indicators.clone());
    app.audit(event).await?;
    Ok(DataRequest::from_row(saved, now.naive_utc()))
}

/// What an admin decides about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A pending request: pulls are allowed from now until it expires.
    Approve,
    /// A pending request, with a reason.
    Reject,
    /// An approved request, with a reason: pulls stop at once.
    Revoke,
}

impl Decision {
    /// From which status to which, and the audit action of a grant of `kind` (`data_request`,
    /// `supply`: the same states for both).
    #[must_use]
    pub fn step(self, kind: &str) -> (&'static str, &'static str, String) {
        let (from, to, verb) = match self {
            Self::Approve => (PENDING, APPROVED, "approve"),
            Self::Reject => (PENDING, REJECTED, "reject"),
            Self::Revoke => (APPROVED, REVOKED, "revoke"),
        };
        (from, to, format!("{kind}.{verb}"))
    }

    /// The reason given, trimmed; 422 when a rejection or a revocation comes without one.
    ///
    /// # Errors
    /// As above.
    pub fn reason(self, reason: Option<String>) -> Result<Option<String>, Problem> {
        let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
        if self != Self::Approve && reason.is_none() {
            return Err(Problem::unprocessable("reason_required", "驳回或撤销须说明理由").with_detail(
                Some("reason"),
                "required",
                "请填写理由",
            ));
        }
        Ok(reason)
    }
}

/// An admin whose scope covers the request's region decides it. Audited.
///
/// # Errors
/// 403 for other roles or outside the scope, 404 for a request the admin does not see, 422 for a
/// rejection or revocation without a reason, 409 for a request not in the state the decision needs.
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    decision: Decision,
    reason: Option<String>,
) -> AppResult<DataRequest> {
    decide_with(app, actor, id, decision, reason, false).await
}

/// As [`decide`]; approving with `full_values` also grants the full values of the registers the
/// request names (only when it asked for them).
///
/// # Errors
/// As [`decide`]; 422 granting full values a request did not ask for.
pub async fn decide_with(
    app: &App,
    actor: &Actor,
    id: i64,
    decision: Decision,
    reason: Option<String>,
    full_values: bool,
) -> AppResult<DataRequest> {
    let (from, to, action) = decision.step("data_request");
    let action = action.as_str();
    app.authorize(actor, action, Some(id.to_string()), actor.require_role(&[Role::Admin])).await?;
    let request = visible(app, actor, id).await?;
    let region = RegionCode::parse(&request.region).map_err(Problem::internal)?;
    app.authorize(actor, action, Some(id.to_string()), actor.require_write(region)).await?;
    let reason = decision.reason(reason)?;
    if full_values && !(decision == Decision::Approve && request.full_values_asked) {
        return Err(Problem::unprocessable("validation_failed", "该申请没有申请台账完整信息，不能授予").with_detail(
            Some("full_values"),
            "not_asked",
            "只有申请了完整信息（full_values）的台账申请才能批准完整信息",
        ));
    }
    if request.status != from {
        return Err(Problem::conflict(
            "invalid_state",
            format!("数据需求当前状态为 {}，不能执行此操作", request.status),
        ));
    }
    let now = Utc::now().naive_utc();
    let by = actor.subject.clone();
    let why = reason.clone();
    let row = app
        .write(move |conn| {
            if !store::decide(conn, id, from, to, &by, why.as_deref(), now)? {
                return Err(Problem::conflict("invalid_state", "数据需求的状态刚被他人改变，请刷新后重试"));
            }
            if full_values {
                store::grant_full_values(conn, id)?;
            }
            store::find(conn, id)?.ok_or_else(|| not_found(id))
        })
        .await?;
    let mut event = actor.event(action, Some(id.to_string()), "success");
    event.detail = match (reason, full_values) {
        (Some(reason), _) => Some(reason),
        (None, true) => Some("批准台账完整信息".to_owned()),
        (None, false) => None,
    };
    app.audit(event).await?;
    Ok(DataRequest::from_row(row, now))
}

/// One page of requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataRequestPage {
    pub items: Vec<DataRequest>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// A department's own requests, or those an admin's scope overlaps; newest first.
///
/// # Errors
/// 403 for other roles, 400 for an unknown status or a bad page.
pub async fn list(
    app: &App,
    actor: &Actor,
    status: Option<String>,
    (limit, offset): (Option<i64>, Option<i64>),
) -> AppResult<DataRequestPage> {
    app.authorize(actor, "data_request.list", None, actor.require_role(&[Role::Department, Role::Admin])).await?;
    let scope = list_scope(actor)?;
    if let Some(status) = status.as_deref() {
        if ![PENDING, APPROVED, REJECTED, REVOKED].contains(&status) {
            return Err(Problem::bad_request("invalid_query", "status 须为 pending、approved、rejected 或 revoked"));
        }
    }
    let page = Page::new(limit, offset)?;
    let (rows, total) =
        app.run(move |conn| Ok(store::list(conn, &scope, status.as_deref(), page.limit, page.offset)?)).await?;
    let now = Utc::now().naive_utc();
    Ok(DataRequestPage {
        items: rows.into_iter().map(|r| DataRequest::from_row(r, now)).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

//! Proposed indicators (新指标建议): the columns of a department's form the registry has nothing
//! for. An admin accepts one as a new indicator (through the registry's duplicate guard, so a
//! proposal never becomes a second name for something already there) or rejects it with a reason
//! the department reads.

use chrono::{DateTime, Utc};
use onetable_core::Role;
use onetable_store::proposals::{self as store, Decision, ProposalRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::registry::inputs::IndicatorInput;
use crate::registry::views::SavedIndicator;
use crate::registry::{create, manage::WRITERS};
use crate::App;

pub const PENDING: &str = "pending";
pub const ACCEPTED: &str = "accepted";
pub const REJECTED: &str = "rejected";

/// A proposed indicator as clients read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Proposal {
    pub id: i64,
    /// The column's name as the analyzer read it.
    pub name: String,
    /// The form's unit for it; empty when it states none.
    pub unit: String,
    /// The header as the form wrote it.
    pub header: String,
    pub form_title: String,
    pub department: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    /// `pending`, `accepted` or `rejected`.
    pub status: String,
    /// The indicator it was accepted as.
    pub indicator_code: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected.
    pub reason: Option<String>,
}

impl From<ProposalRow> for Proposal {
    fn from(r: ProposalRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            unit: r.unit,
            header: r.header,
            form_title: r.form_title,
            department: r.department,
            proposed_by: r.proposed_by,
            proposed_at: r.proposed_at.and_utc(),
            status: r.status,
            indicator_code: r.indicator_code,
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(|t| t.and_utc()),
            reason: r.reason,
        }
    }
}

/// Proposals an actor may see: an admin all, a department its own; newest first.
///
/// # Errors
/// 403 for other roles; 422 an unknown status.
pub async fn list(app: &App, actor: &Actor, status: Option<String>) -> AppResult<Vec<Proposal>> {
    app.authorize(actor, "proposals.list", None, actor.require_role(&[Role::Admin, Role::Department])).await?;
    if let Some(s) = status.as_deref() {
        if ![PENDING, ACCEPTED, REJECTED].contains(&s) {
            return Err(Problem::unprocessable("invalid_status", "status 只能是 pending、accepted 或 rejected")
                .with_detail(Some("status"), "invalid", "状态不正确"));
        }
    }
    let department = match actor.role {
        Role::Admin => None,
        _ => Some(actor.department.clone().unwrap_or_default()),
    };
    let rows = app.run(move |conn| Ok(store::list(conn, status.as_deref(), department.as_deref())?)).await?;
    Ok(rows.into_iter().map(Proposal::from).collect())
}

fn not_pending(row: &ProposalRow) -> Problem {
    Problem::conflict("proposal_decided", format!("建议 #{} 已处理（{}），不能再次处理", row.id, row.status))
}

fn pending(conn: &mut onetable_store::connection::DbConn, id: i64) -> AppResult<ProposalRow> {
    let row =
        store::find(conn, id)?.ok_or_else(|| Problem::not_found("proposal_not_found", format!("建议 #{id} 不存在")))?;
    if row.status == PENDING {
        Ok(row)
    } else {
        Err(not_pending(&row))
    }
}

/// What accepting answers: the proposal, decided, and the indicator it became.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub proposal: Proposal,
    pub indicator: SavedIndicator,
}

/// An admin accepts a proposal as a new indicator, completing its definition. The indicator and
/// the decision are written together, or neither.
///
/// # Errors
/// 403 not an admin; 404 no such proposal; 409 decided already, an existing code or a duplicate
/// name (the guard's report says which indicator it duplicates); 422 an invalid definition.
pub async fn accept(app: &App, actor: &Actor, id: i64, input: IndicatorInput) -> AppResult<Accepted> {
    app.authorize(actor, "proposals.accept", Some(id.to_string()), actor.require_role(&WRITERS)).await?;
    let code = input.code.clone().unwrap_or_default();
    let def = input.to_def(&code)?;
    let (subject, note) = (actor.subject.clone(), input.change_note.clone());
    let now = chrono::Utc::now().naive_utc();
    let accepted = app
        .write(move |conn| {
            let row = pending(conn, id)?;
            let note =
                note.or_else(|| Some(format!("采纳新指标建议 #{}（{}，{}）", row.id, row.form_title, row.department)));
            let indicator = create(conn, &def, &subject, now, note)?;
            let decision = Decision {
                status: ACCEPTED.to_owned(),
                indicator_code: Some(def.code.clone()),
                decided_by: Some(subject.clone()),
                decided_at: Some(now),
                reason: None,
            };
            if !store::decide(conn, id, &decision)? {
                return Err(not_pending(&row));
            }
            let proposal =
                store::find(conn, id)?.map(Proposal::from).ok_or_else(|| Problem::internal("proposal vanished"))?;
            Ok(Accepted { proposal, indicator: SavedIndicator::from(indicator) })
        })
        .await?;
    app.audit(actor.event("proposals.accept", Some(format!("{id}:{code}")), "success")).await?;
    app.forms.invalidate();
    Ok(accepted)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RejectInput {
    /// Why (the department reads it): 已有同类指标 ……
    pub reason: String,
}

/// An admin rejects a proposal, saying why.
///
/// # Errors
/// 403 not an admin; 404 no such proposal; 409 decided already; 422 no reason.
pub async fn reject(app: &App, actor: &Actor, id: i64, input: RejectInput) -> AppResult<Proposal> {
    app.authorize(actor, "proposals.reject", Some(id.to_string()), actor.require_role(&WRITERS)).await?;
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Problem::unprocessable("validation_failed", "请填写驳回原因（500 字以内）").with_detail(
            Some("reason"),
            "required",
            "驳回原因不能为空，且不超过 500 字",
        ));
    }
    let subject = actor.subject.clone();
    let now = chrono::Utc::now().naive_utc();
    let proposal = app
        .write(move |conn| {
            let row = pending(conn, id)?;
            let decision = Decision {
                status: REJECTED.to_owned(),
                indicator_code: None,
                decided_by: Some(subject),
                decided_at: Some(now),
                reason: Some(reason),
            };
            if !store::decide(conn, id, &decision)? {
                return Err(not_pending(&row));
            }
            store::find(conn, id)?.map(Proposal::from).ok_or_else(|| Problem::internal("proposal vanished"))
        })
        .await?;
    app.audit(actor.event("proposals.reject", Some(id.to_string()), "success")).await?;
    Ok(proposal)
}

/// Whether a name is pending already among `rows` (one department proposing one thing twice).
pub(super) fn already_pending<'a>(rows: &'a [ProposalRow], name: &str) -> Option<&'a ProposalRow> {
    let name = onetable_core::similarity::normalize(name);
    rows.iter().find(|r| r.status == PENDING && onetable_core::similarity::normalize(&r.name) == name)
}

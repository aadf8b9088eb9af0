//! Submit, approve, return, reopen: `POST /api/v1/entries/{region}/{period}/{action}`.

use std::collections::BTreeMap;

use actix_web::{post, web, HttpRequest, HttpResponse};
use onetable_core::Role;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{respond, view, with_form, write_target, Entry, WriteTarget};
use crate::auth::Caller;
use crate::entries::{transition, Change, APPROVED, DRAFT, RETURNED, SUBMITTED};
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::routes::text::Reason;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SubmitRequest {
    /// Rule code → why the flagged value is right anyway (one per failing warning rule).
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub explanations: BTreeMap<String, Reason>,
}

/// The clerk submits the form for review. Refused (422, one detail per problem) while a required
/// value is missing, an error rule fails, or a failing warning rule has no explanation.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header)),
    request_body = SubmitRequest,
    responses((status = 200, body = Entry), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody), (status = 428, body = ErrorBody))
)]
#[post("/api/v1/entries/{region}/{period}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<SubmitRequest>,
) -> Result<HttpResponse, ApiError> {
    let WriteTarget { region, period, revision } =
        write_target(&state, &caller, &req, &path, "entries.submit", &[Role::Clerk]).await?;
    let explanations = body.into_inner().explanations;
    let actor = caller.subject.clone();
    let entry = with_form(&state, region, period, true, move |conn, form| {
        let current = view(conn, form, region, period)?;
        let mut refused = ApiError::unprocessable("submission_refused", "该表还不能提交，请按提示处理后再提交");
        for code in &current.missing_required {
            refused = refused.with_detail(Some(code), "required_missing", format!("{code} 为必填项，尚未填写"));
        }
        for result in current.rule_results.iter().filter(|r| r.outcome == "fail") {
            let explained = explanations.get(&result.code).is_some_and(|e| !e.trim().is_empty());
            if result.severity == "error" {
                refused = refused.with_detail(Some(&result.code), "rule_failed", result.message.clone());
            } else if !explained {
                refused = refused.with_detail(
                    Some(&result.code),
                    "explanation_required",
                    format!("{}（请在 explanations 中说明原因）", result.message),
                );
            }
        }
        if refused.has_details() {
            return Err(refused);
        }
        let comment = (!explanations.is_empty()).then(|| serde_json::to_string(&explanations).unwrap_or_default());
        let change = Change { actor: &actor, source: "entry", reason: None, now: chrono::Utc::now().naive_utc() };
        transition(
            conn,
            &region.to_string(),
            &period.to_string(),
            revision,
            &[DRAFT, RETURNED],
            SUBMITTED,
            "submit",
            comment,
            &change,
        )?;
        view(conn, form, region, period)
    })
    .await?;
    Ok(respond(&entry))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CommentRequest {
    /// Required to return (the clerk reads it) and to reopen (the reason).
    #[schema(inline)]
    pub comment: Option<Reason>,
    /// Accepted as a synonym of `comment` for reopen.
    #[schema(inline)]
    pub reason: Option<Reason>,
}

async fn review_step(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    path: &(String, String),
    step: Step,
    comment: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let WriteTarget { region, period, revision } =
        write_target(state, caller, req, path, step.action, step.roles).await?;
    let comment = comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if step.needs_comment && comment.is_none() {
        return Err(ApiError::unprocessable("validation_failed", "请填写说明").with_detail(
            Some("comment"),
            "required",
            "退回或重新打开须说明原因",
        ));
    }
    let actor = caller.subject.clone();
    let entry = with_form(state, region, period, true, move |conn, form| {
        let change = Change { actor: &actor, source: "entry", reason: None, now: chrono::Utc::now().naive_utc() };
        transition(
            conn,
            &region.to_string(),
            &period.to_string(),
            revision,
            step.from,
            step.to,
            step.name,
            comment,
            &change,
        )?;
        view(conn, form, region, period)
    })
    .await?;
    let mut event = caller.event(step.action, Some(format!("{region}/{period}")), "success");
    event.detail = Some(format!("revision {}", entry.revision));
    state.audit(event).await?;
    Ok(respond(&entry))
}

#[derive(Clone, Copy)]
struct Step {
    name: &'static str,
    action: &'static str,
    roles: &'static [Role],
    from: &'static [&'static str],
    to: &'static str,
    needs_comment: bool,
}

const APPROVE: Step = Step {
    name: "approve",
    action: "entries.approve",
    roles: &[Role::Reviewer],
    from: &[SUBMITTED],
    to: APPROVED,
    needs_comment: false,
};
const RETURN: Step = Step {
    name: "return",
    action: "entries.return",
    roles: &[Role::Reviewer],
    from: &[SUBMITTED],
    to: RETURNED,
    needs_comment: true,
};
const REOPEN: Step = Step {
    name: "reopen",
    action: "entries.reopen",
    roles: &[Role::Clerk, Role::Reviewer],
    from: &[APPROVED],
    to: DRAFT,
    needs_comment: true,
};

/// A reviewer whose scope holds the village approves a submitted entry; it is then locked.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 428, body = ErrorBody))
)]
#[post("/api/v1/entries/{region}/{period}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    review_step(&state, &caller, &req, &path, APPROVE, None).await
}

/// A reviewer returns a submitted entry to the clerk with a comment.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header)),
    request_body = CommentRequest,
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/entries/{region}/{period}/return")]
pub async fn return_entry(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    review_step(&state, &caller, &req, &path, RETURN, body.comment.or(body.reason).map(String::from)).await
}

/// The clerk or a reviewer reopens an approved entry (audited); it goes back through review.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header)),
    request_body = CommentRequest,
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/entries/{region}/{period}/reopen")]
pub async fn reopen(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    review_step(&state, &caller, &req, &path, REOPEN, body.reason.or(body.comment).map(String::from)).await
}

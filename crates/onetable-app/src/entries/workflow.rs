//! Review (审核): the clerk submits, a reviewer approves or returns, either reopens — the steps of
//! [`onetable_core::workflow`], and what must hold before a form may be submitted.

use std::collections::BTreeMap;

use onetable_core::workflow::{Step, SUBMIT};

use super::access::{authorize_write, with_form, EntryRef};
use super::view::{view, Entry};
use super::{transition, write_cells, Change};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

/// Why the form cannot be submitted yet, one detail per problem: a required value missing, an
/// error rule failing, a failing warning rule without an explanation. `None`: it may be.
#[must_use]
pub fn submission_refusal(entry: &Entry, explanations: &BTreeMap<String, String>) -> Option<Problem> {
    let mut refused = Problem::unprocessable("submission_refused", "该表还不能提交，请按提示处理后再提交");
    for code in &entry.missing_required {
        refused = refused.with_detail(Some(code), "required_missing", format!("{code} 为必填项，尚未填写"));
    }
    for result in entry.rule_results.iter().filter(|r| r.outcome == "fail") {
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
    refused.has_details().then_some(refused)
}

/// The village's clerk submits the form for review, with an explanation for each failing
/// warning rule.
///
/// # Errors
/// 403, 428/400, 412, 409 (not draft or returned), 422 `submission_refused`.
pub async fn submit(
    app: &App,
    actor: &Actor,
    at: EntryRef,
    if_match: Option<&str>,
    explanations: BTreeMap<String, String>,
) -> AppResult<Entry> {
    let revision = authorize_write(app, actor, SUBMIT.action, at, SUBMIT.roles, if_match).await?;
    let subject = actor.subject.clone();
    let mut event = actor.event(SUBMIT.action, Some(format!("{}/{}", at.region, at.period)), "success");
    with_form(app, at, true, move |conn, form| {
        let mut revision = revision;
        let mut current = view(conn, form, at.region, at.period)?;
        // What the registers give now goes in with the submission: no count submitted stale.
        let moved: Vec<(String, Option<String>)> = current
            .register_values
            .iter()
            .filter(|v| v.stored.as_ref() != Some(&v.value))
            .map(|v| (v.indicator.clone(), Some(v.value.clone())))
            .collect();
        if !moved.is_empty() {
            let reason = Some("提交时按台账更新".to_owned());
            let change = Change { actor: &subject, source: "register", reason, now: chrono::Utc::now().naive_utc() };
            let written = write_cells(conn, &at.region.to_string(), &at.period.to_string(), revision, &moved, &change)?;
            revision = written.entry.revision;
            current = view(conn, form, at.region, at.period)?;
        }
        if let Some(refused) = submission_refusal(&current, &explanations) {
            return Err(refused);
        }
        let comment = (!explanations.is_empty()).then(|| serde_json::to_string(&explanations).unwrap_or_default());
        let change = Change { actor: &subject, source: "entry", reason: None, now: chrono::Utc::now().naive_utc() };
        let entry =
            transition(conn, &at.region.to_string(), &at.period.to_string(), revision, &SUBMIT, comment, &change)?;
        event.detail = Some(format!("版本 {}；填报说明 {} 条", entry.revision, explanations.len()));
        // In the submit's own transaction: no submit without its audit event.
        onetable_store::audit::record(conn, &event)?;
        view(conn, form, at.region, at.period)
    })
    .await
}

/// A reviewer approves or returns a submitted form; the clerk or a reviewer reopens an approved
/// one. Returning and reopening need a comment. Audited.
///
/// # Errors
/// 403, 428/400, 422 no comment, 412, 409 wrong state.
pub async fn review(
    app: &App,
    actor: &Actor,
    at: EntryRef,
    if_match: Option<&str>,
    step: Step,
    comment: Option<String>,
) -> AppResult<Entry> {
    let revision = authorize_write(app, actor, step.action, at, step.roles, if_match).await?;
    let comment = comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if step.needs_comment && comment.is_none() {
        return Err(Problem::unprocessable("validation_failed", "请填写说明").with_detail(
            Some("comment"),
            "required",
            "退回或重新打开须说明原因",
        ));
    }
    let subject = actor.subject.clone();
    let mut event = actor.event(step.action, Some(format!("{}/{}", at.region, at.period)), "success");
    let entry = with_form(app, at, true, move |conn, form| {
        let change = Change { actor: &subject, source: "entry", reason: None, now: chrono::Utc::now().naive_utc() };
        let said = comment.clone();
        let entry =
            transition(conn, &at.region.to_string(), &at.period.to_string(), revision, &step, comment, &change)?;
        event.detail = Some(match said {
            Some(comment) => format!("版本 {}；意见：{comment}", entry.revision),
            None => format!("版本 {}", entry.revision),
        });
        // In the step's own transaction: no approval or return without its audit event.
        onetable_store::audit::record(conn, &event)?;
        view(conn, form, at.region, at.period)
    })
    .await?;
    // Events the step wrote for subscribed department systems go now, not at the next poll.
    app.webhooks.wake();
    Ok(entry)
}

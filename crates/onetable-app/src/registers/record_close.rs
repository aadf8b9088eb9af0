//! Closing a record (注销): the person moved away, died, left the programme. The record stays;
//! counts at the end of a period after the day no longer include it.

use chrono::NaiveDate;
use onetable_store::registers::records::{self as store, NewRecordEvent, RecordChange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::derived;
use super::record_view::{record, Record};
use super::records::{located, open_at, stale, today, RecordRef};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

/// Closing a record: the person moved, died, left the programme.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    #[schema(example = "迁出")]
    pub reason: String,
    /// The day it left the list (counts at a period's end after it no longer include it).
    pub date: NaiveDate,
}

/// The clerk closes a record (迁出、死亡、退出): it stays, no longer counted after `date`.
///
/// # Errors
/// As [`edit`]; 422 without a reason or with a date in the future.
pub async fn close(
    app: &App,
    actor: &Actor,
    at: RecordRef,
    if_match: Option<&str>,
    input: CloseInput,
) -> AppResult<Record> {
    let row = located(app, actor, &at, "registers.records.close", true).await?;
    let revision = crate::entries::access::revision(if_match)?;
    let mut error = Problem::unprocessable("validation_failed", "注销信息不完整，未保存");
    if input.reason.trim().is_empty() {
        error = error.with_detail(Some("reason"), "required", "请填写注销原因（如迁出、死亡）");
    } else if let Err(p) = onetable_core::text::check_text(&input.reason, 200) {
        error = error.with_detail(Some("reason"), p.code(), format!("注销原因：{p}"));
    }
    if input.date > today() {
        error = error.with_detail(Some("date"), "in_future", format!("注销日期 {} 晚于今天", input.date));
    }
    if error.has_details() {
        return Err(error);
    }
    let keys = app.data_keys()?;
    let subject = actor.subject.clone();
    let event = actor.event("registers.records.close", Some(format!("{}/{}", at.register, at.id)), "success");
    app.write(move |conn| {
        let (def, current) = open_at(conn, &row, revision)?;
        if current.opened_on.is_some_and(|d| d > input.date) {
            return Err(Problem::unprocessable("validation_failed", "注销日期早于纳入日期").with_detail(
                Some("date"),
                "before_opened",
                format!("注销日期 {} 早于纳入日期", input.date),
            ));
        }
        let now = chrono::Utc::now().naive_utc();
        let change = RecordChange {
            group_name: current.group_name.clone(),
            key_hash: current.key_hash.clone(),
            person_hash: current.person_hash.clone(),
            plain: current.plain.clone(),
            sealed: current.sealed.clone(),
            opened_on: current.opened_on,
            closed_on: Some(input.date),
            close_reason: Some(input.reason.trim().to_owned()),
            revision: revision + 1,
            updated_by: subject.clone(),
            updated_at: now,
        };
        let updated = store::update(conn, row.id, revision, &change)?.ok_or_else(|| stale(revision + 1))?;
        let closed = serde_json::json!([{"column": "status", "old": "open", "new": format!("closed {}", input.date)}]);
        store::record_event(
            conn,
            &NewRecordEvent {
                record_id: row.id,
                revision: revision + 1,
                action: "close",
                actor: &subject,
                reason: Some(input.reason.trim()),
                changes: &closed.to_string(),
                at: now,
            },
        )?;
        onetable_store::audit::record(conn, &event)?;
        derived::refresh(conn, &def.code, &updated.region_code, today(), &subject, now)?;
        record(&def, updated, &keys, false)
    })
    .await
}

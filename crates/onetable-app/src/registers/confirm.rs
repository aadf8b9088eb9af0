//! A register change that reaches a form already submitted or approved is never written into it
//! silently: the reviewer over the village sees it (`to_confirm` in the entry) and confirms it,
//! which writes the new counts (source `register`) and records who confirmed, in the entry's
//! history. The status stays as it was.

use onetable_core::Role;
use onetable_store::entries::{self as store, CellEdit, EditStamp, NewEntryEvent};

use crate::actor::Actor;
use crate::entries::access::{authorize_write, with_form, EntryRef};
use crate::entries::stale;
use crate::entries::view::{view, Entry};
use crate::problem::{AppResult, Problem};
use crate::App;

/// The reviewer confirms the register changes of a locked entry.
///
/// # Errors
/// 403 not a reviewer over the village, 428/400/412 revision, 409 nothing to confirm.
pub async fn confirm(app: &App, actor: &Actor, at: EntryRef, if_match: Option<&str>) -> AppResult<Entry> {
    let action = "entries.register_confirm";
    let revision = authorize_write(app, actor, action, at, &[Role::Reviewer], if_match).await?;
    let subject = actor.subject.clone();
    let mut event = actor.event(action, Some(format!("{}/{}", at.region, at.period)), "success");
    with_form(app, at, true, move |conn, form| {
        let (region, period) = (at.region.to_string(), at.period.to_string());
        let current = view(conn, form, at.region, at.period)?;
        let changes: Vec<(String, Option<String>, Option<String>)> = current
            .register_values
            .iter()
            .filter(|v| v.to_confirm)
            .map(|v| (v.indicator.clone(), v.stored.clone(), Some(v.value.clone())))
            .collect();
        if changes.is_empty() {
            return Err(Problem::conflict("nothing_to_confirm", "该表没有待确认的台账变化"));
        }
        let now = chrono::Utc::now().naive_utc();
        let next = store::bump_existing(conn, &region, &period, revision, &subject, now)?
            .ok_or_else(|| stale(current.revision))?;
        let reason = "审核员确认台账变化".to_owned();
        store::apply_edit(
            conn,
            &CellEdit {
                stamp: EditStamp {
                    region: &region,
                    period: &period,
                    source: "register",
                    actor: &subject,
                    reason: Some(&reason),
                    revision: next.revision,
                    at: now,
                },
                changes: &changes,
            },
        )?;
        let listed: Vec<String> = changes
            .iter()
            .map(|(code, old, new)| {
                format!("{code} {}→{}", old.as_deref().unwrap_or("空"), new.as_deref().unwrap_or("空"))
            })
            .collect();
        store::record_event(
            conn,
            &NewEntryEvent {
                region_code: region.clone(),
                period: period.clone(),
                action: "register_confirm".into(),
                actor: subject.clone(),
                comment: Some(listed.join("；")),
                revision: next.revision,
                occurred_at: now,
            },
        )?;
        event.detail = Some(format!("版本 {}：{}", next.revision, listed.join("；")));
        onetable_store::audit::record(conn, &event)?;
        view(conn, form, at.region, at.period)
    })
    .await
}

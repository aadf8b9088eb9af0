//! An entry's history (修改记录): every cell change (old, new, who, when, why, source) and every
//! workflow event, newest first, a page at a time.

use chrono::NaiveDateTime;
use onetable_store::entries as store;
use serde::Serialize;
use utoipa::ToSchema;

use super::access::{authorize, EntryRef, READERS};
use super::require_village;
use crate::actor::Actor;
use crate::paging::Page;
use crate::problem::AppResult;
use crate::App;

/// A cell change (`kind` = `value`) or a workflow event (`kind` = `event`).
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    pub kind: &'static str,
    #[serde(serialize_with = "crate::time::utc")]
    pub at: NaiveDateTime,
    pub actor: String,
    pub revision: i64,
    pub indicator_code: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub source: Option<String>,
    pub reason: Option<String>,
    /// submit, approve, return, reopen
    pub action: Option<String>,
    pub comment: Option<String>,
}

/// One page of an entry's history, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPage {
    pub items: Vec<HistoryItem>,
    /// Items in the whole history.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// One page of the history of the entry `at`.
///
/// # Errors
/// 403/404 outside the actor's reach, 404/400 for a region that is not a village.
pub async fn history(app: &App, actor: &Actor, at: EntryRef, page: Page) -> AppResult<HistoryPage> {
    authorize(app, actor, "entries.read", at, &READERS, false).await?;
    let (changes, events) = app
        .run(move |conn| {
            require_village(conn, at.region)?;
            Ok(store::history(conn, &at.region.to_string(), &at.period.to_string())?)
        })
        .await?;
    let mut items: Vec<(i64, u8, usize, HistoryItem)> = Vec::new();
    for edit in changes {
        for (position, (code, old, new)) in edit.cells()?.into_iter().enumerate() {
            let item = HistoryItem {
                kind: "value",
                at: edit.changed_at,
                actor: edit.actor.clone(),
                revision: edit.revision,
                indicator_code: Some(code),
                old_value: old,
                new_value: new,
                source: Some(edit.source.clone()),
                reason: edit.reason.clone(),
                action: None,
                comment: None,
            };
            items.push((edit.id, 0, position, item));
        }
    }
    items.extend(events.into_iter().map(|e| {
        let item = HistoryItem {
            kind: "event",
            at: e.occurred_at,
            actor: e.actor,
            revision: e.revision,
            indicator_code: None,
            old_value: None,
            new_value: None,
            source: None,
            reason: None,
            action: Some(e.action),
            comment: e.comment,
        };
        (e.id, 1, 0, item)
    }));
    // Newest first: by revision, then by order of writing within a revision.
    items.sort_by_key(|(id, kind, position, item)| std::cmp::Reverse((item.revision, *kind, *id, *position)));
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let skip = usize::try_from(page.offset).unwrap_or(usize::MAX);
    let take = usize::try_from(page.limit).unwrap_or(0);
    let items = items.into_iter().skip(skip).take(take).map(|(_, _, _, i)| i).collect();
    Ok(HistoryPage { items, total, limit: page.limit, offset: page.offset })
}

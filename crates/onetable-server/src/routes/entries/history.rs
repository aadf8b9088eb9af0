//! `GET /api/v1/entries/{region}/{period}/history`

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDateTime;
use onetable_store::entries as store;
use serde::Serialize;
use utoipa::ToSchema;

use super::{authorize, parse_path, READERS};
use crate::auth::Caller;
use crate::entries::require_village;
use crate::error::{ApiError, ErrorBody};
use crate::routes::regions::Paging;
use crate::state::AppState;

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

/// Every change of an entry and every workflow event, newest first, a page at a time
/// (`limit` 1–1000, default 100).
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), Paging),
    responses((status = 200, body = HistoryPage), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/entries/{region}/{period}/history")]
pub async fn history(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let (region, period) = parse_path(&path.0, &path.1)?;
    let (limit, offset) = paging.resolve()?;
    authorize(&state, &caller, "entries.read", region, &READERS, false).await?;
    let (changes, events) = state
        .run(move |conn| {
            require_village(conn, region)?;
            Ok(store::history(conn, &region.to_string(), &period.to_string())?)
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
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(0);
    let items = items.into_iter().skip(skip).take(take).map(|(_, _, _, i)| i).collect();
    Ok(HttpResponse::Ok().json(HistoryPage { items, total, limit, offset }))
}

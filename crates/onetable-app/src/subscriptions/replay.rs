//! The delivery log and replay (补取): a subscription's events after a cursor, each with where its
//! delivery stands — a department system that was down reads what it missed from its last cursor.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::manage::visible_row;
use super::{LoggedEvent, WebhookEvent};
use crate::actor::Actor;
use crate::paging::Page;
use crate::problem::{AppResult, Problem};
use crate::App;

/// Which events to read.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// The `cursor` of the last event already read; none: from the first.
    pub after: Option<String>,
    /// Events per page, 1–1000, default 100.
    pub limit: Option<i64>,
}

/// A page of the log, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<LoggedEvent>,
    /// Pass as `after` next time: the last event's cursor (or the one given, when none is new).
    pub next_cursor: String,
    /// More events follow at once (the page was full).
    pub has_more: bool,
}

/// The events of a subscription after `after`.
///
/// # Errors
/// 400 a cursor that is not one of ours or a limit out of range; 404 a subscription the actor
/// does not see.
pub async fn events(app: &App, actor: &Actor, id: i64, query: EventQuery) -> AppResult<EventPage> {
    let page = Page::new(query.limit, None)?;
    let after = match query.after.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => 0,
        Some(text) => text.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            Problem::bad_request("invalid_query", "after 须为上一页事件的 cursor").with_detail(
                Some("after"),
                "invalid_cursor",
                format!("收到 {text}"),
            )
        })?,
    };
    let caller = actor.clone();
    app.run(move |conn| {
        let subscription = visible_row(conn, &caller, id)?;
        let rows = onetable_store::subscriptions::events_after(conn, id, after, page.limit)?;
        let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) == page.limit;
        let items: Vec<LoggedEvent> = rows
            .iter()
            .map(|row| LoggedEvent {
                cursor: row.id.to_string(),
                event: WebhookEvent::from_row(row, subscription.data_request_id),
                status: row.status.clone(),
                attempts: row.attempts,
                last_attempt_at: row.last_attempt_at,
                last_outcome: row.last_outcome.clone(),
                delivered_at: row.delivered_at,
                next_attempt_at: (row.status == "pending").then_some(row.next_attempt_at),
            })
            .collect();
        let next_cursor = items.last().map_or_else(|| after.to_string(), |e| e.cursor.clone());
        Ok(EventPage { items, next_cursor, has_more: full })
    })
    .await
}

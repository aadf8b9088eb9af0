//! The delivery worker: claims due events from the outbox, POSTs each signed to its
//! subscription's endpoint, records the outcome. At least once (an event is marked delivered only
//! after a 2xx; a crash before that sends it again), in order per village (only a village's
//! oldest pending event is ever claimed), retried with exponential backoff for 24 hours, then
//! given up (`failed`, still replayable). Redirects are not followed; a receiver that hangs costs
//! one timeout per round, not a clerk's save (the worker runs beside the requests, off the
//! transaction that wrote the event).

use std::any::Any;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta, Utc};
use futures_util::future::join_all;
use onetable_store::subscriptions::{self as store, EventRow, Outcome, SubscriptionRow};
use tokio::sync::Notify;

use super::hosts::{AllowedHosts, GuardedResolver};
use super::{signing, WebhookEvent};
use crate::problem::{AppResult, Problem};
use crate::App;

/// Events claimed per round.
const BATCH: i64 = 200;
/// Sends under way at once to one receiver.
const PER_RECEIVER: usize = 8;
/// How often the outbox is looked at when nothing wakes the worker.
const POLL: Duration = Duration::from_secs(1);
/// How long an event is retried before it is given up.
const RETRY_WINDOW: TimeDelta = TimeDelta::hours(24);

/// The deployment's webhook settings, and the bell that wakes the worker after a commit.
#[derive(Debug)]
pub struct Webhooks {
    pub hosts: Arc<AllowedHosts>,
    /// How long a receiver may take to answer.
    pub timeout: Duration,
    /// The longest wait between two attempts (the backoff doubles up to it).
    pub retry_cap: Duration,
    wake: Notify,
}

impl Default for Webhooks {
    fn default() -> Self {
        Self::new(&[], Duration::from_secs(10), Duration::from_secs(60))
    }
}

impl Webhooks {
    #[must_use]
    pub fn new(hosts: &[String], timeout: Duration, retry_cap: Duration) -> Self {
        Self { hosts: Arc::new(AllowedHosts::new(hosts)), timeout, retry_cap, wake: Notify::new() }
    }

    /// Tells the worker that events were written (it also looks every second).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// When the event tried `attempts` times before this failure is tried next: 1 s, 2 s, 4 s …
    /// up to the cap; `None` once it has been retried for 24 hours.
    #[must_use]
    pub fn retry_at(&self, event: &EventRow, failed_at: NaiveDateTime) -> Option<NaiveDateTime> {
        if failed_at - event.occurred_at >= RETRY_WINDOW {
            return None;
        }
        let doubled = 1u64.checked_shl(u32::try_from(event.attempts.max(0)).unwrap_or(u32::MAX)).unwrap_or(u64::MAX);
        let wait = Duration::from_secs(doubled).min(self.retry_cap);
        Some(failed_at + TimeDelta::from_std(wait).unwrap_or(TimeDelta::seconds(60)))
    }
}

/// Runs until the server that started it stops: `stop` resolves (a graceful stop: the round
/// under way finishes first) or `alive` is gone (the server was dropped).
pub async fn run(app: App, alive: Weak<dyn Any + Send + Sync>, stop: Pin<Box<dyn Future<Output = ()> + Send>>) {
    let client = match client(&app.webhooks) {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhook delivery not started: no HTTP client");
            return;
        }
    };
    let stopped = Arc::new(AtomicBool::new(false));
    let (flag, webhooks) = (stopped.clone(), app.webhooks.clone());
    tokio::spawn(async move {
        stop.await;
        flag.store(true, Ordering::SeqCst);
        webhooks.wake();
    });
    // One server writes a SQLite file: what an earlier process was sending when it stopped is
    // sent again now, not when its lease runs out. (On PostgreSQL another server may be sending.)
    if app.db.backend() == onetable_store::Backend::Sqlite {
        if let Err(e) = app.write(|conn| Ok(store::release_leases(conn)?)).await {
            tracing::warn!(error = %e.describe(), "webhook leases not released");
        }
    }
    let running = || alive.strong_count() > 0 && !stopped.load(Ordering::SeqCst);
    while running() {
        match round(&app, &client).await {
            Ok(claimed) if claimed >= BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.describe(), "webhook delivery round failed"),
        }
        tokio::select! {
            () = app.webhooks.wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

/// The client events are sent with: no redirects, the timeout, names resolved under the rules.
///
/// # Errors
/// When the TLS backend cannot start.
pub fn client(webhooks: &Webhooks) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(webhooks.timeout)
        .connect_timeout(webhooks.timeout.min(Duration::from_secs(5)))
        .dns_resolver(Arc::new(GuardedResolver { hosts: webhooks.hosts.clone() }))
        .user_agent(concat!("onetable-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// One round: claim, send, record. Answers how many events were claimed.
///
/// # Errors
/// When the database fails (the leases then run out and the events are claimed again).
pub async fn round(app: &App, client: &reqwest::Client) -> AppResult<usize> {
    let now = Utc::now().naive_utc();
    let lease =
        now + TimeDelta::from_std(app.webhooks.timeout * 4).unwrap_or(TimeDelta::minutes(1)) + TimeDelta::seconds(30);
    if !app.run(move |conn| Ok(store::any_due(conn, now)?)).await? {
        return Ok(0);
    }
    let claimed = app.write(move |conn| Ok(store::claim_due(conn, now, lease, BATCH)?)).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let count = claimed.len();
    let mut by_subscription: BTreeMap<i64, Vec<EventRow>> = BTreeMap::new();
    for event in claimed {
        by_subscription.entry(event.subscription_id).or_default().push(event);
    }
    let ids: Vec<i64> = by_subscription.keys().copied().collect();
    let subscriptions: Vec<SubscriptionRow> = app
        .run(move |conn| {
            let mut found = Vec::with_capacity(ids.len());
            for id in ids {
                found.extend(store::find(conn, id)?);
            }
            Ok(found)
        })
        .await?;
    let sends = subscriptions.into_iter().filter_map(|subscription| {
        let events = by_subscription.remove(&subscription.id)?;
        Some(send_all(&app.webhooks, client, subscription, events))
    });
    let outcomes: Vec<Outcome> = join_all(sends).await.into_iter().flatten().collect();
    app.write(move |conn| Ok(store::record(conn, &outcomes)?)).await?;
    Ok(count)
}

/// Sends one receiver's claimed events, a few at a time; once the receiver fails, the rest wait
/// for the retry instead of each costing a timeout.
async fn send_all(
    webhooks: &Webhooks,
    client: &reqwest::Client,
    subscription: SubscriptionRow,
    events: Vec<EventRow>,
) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(events.len());
    let mut rest = events.as_slice();
    while !rest.is_empty() {
        let (chunk, after) = rest.split_at(rest.len().min(PER_RECEIVER));
        rest = after;
        let done = join_all(chunk.iter().map(|event| send(webhooks, client, &subscription, event))).await;
        let retry_at = done
            .iter()
            .filter_map(|o| match o {
                Outcome::Failed { retry_at, .. } => Some(retry_at.unwrap_or_else(|| Utc::now().naive_utc())),
                _ => None,
            })
            .min();
        outcomes.extend(done);
        if let Some(retry_at) = retry_at {
            outcomes.extend(rest.iter().map(|event| Outcome::Postponed { id: event.id, retry_at }));
            break;
        }
    }
    outcomes
}

/// Posts one event; what became of it.
async fn send(
    webhooks: &Webhooks,
    client: &reqwest::Client,
    subscription: &SubscriptionRow,
    event: &EventRow,
) -> Outcome {
    let failed = |said: String| {
        let at = Utc::now().naive_utc();
        Outcome::Failed { id: event.id, at, said, retry_at: webhooks.retry_at(event, at) }
    };
    let url = match reqwest::Url::parse(&subscription.url) {
        Ok(url) => url,
        Err(e) => return failed(format!("地址无效：{e}")),
    };
    // The operator's list may have changed since the department subscribed.
    if let Some(refusal) = webhooks.hosts.refusal(&url) {
        return failed(format!("未发送：{refusal}"));
    }
    let body = match serde_json::to_vec(&WebhookEvent::from_row(event, subscription.data_request_id)) {
        Ok(body) => body,
        Err(e) => return failed(Problem::internal(e).describe()),
    };
    let signature = signing::sign(&subscription.secret, Utc::now().timestamp(), &body);
    let sent = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(signing::HEADER, signature)
        .header("X-Onetable-Event-Id", &event.event_id)
        .header("X-Onetable-Event-Type", &event.event_type)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => Outcome::Delivered {
            id: event.id,
            at: Utc::now().naive_utc(),
            said: format!("HTTP {}", response.status().as_u16()),
        },
        Ok(response) if response.status().is_redirection() => {
            failed(format!("HTTP {}：重定向，未跟随", response.status().as_u16()))
        }
        Ok(response) => failed(format!("HTTP {}", response.status().as_u16())),
        Err(e) if e.is_timeout() => failed(format!("超时（{} 秒未答复）", webhooks.timeout.as_secs())),
        Err(e) if e.is_connect() => failed(format!("无法连接：{}", root_cause(&e))),
        Err(e) => failed(format!("发送失败：{}", root_cause(&e))),
    }
}

/// The innermost cause of a send's failure (reqwest's own message is only "error sending
/// request").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    text.chars().take(200).collect()
}

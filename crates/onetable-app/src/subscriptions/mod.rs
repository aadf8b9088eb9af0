//! Pushes to department systems (订阅推送): a department subscribes one of its approved data
//! requests to an endpoint of its own ([`manage`]); when an entry within the grant is approved,
//! reopened or approved again after a change, an event goes into the outbox in the same
//! transaction ([`outbox`]); the delivery worker sends it signed ([`signing`], [`delivery`]) to
//! hosts the operator allows ([`hosts`]); the department reads the delivery log and replays what
//! it missed ([`replay`]).

pub mod delivery;
pub mod hosts;
pub mod manage;
pub mod outbox;
pub mod replay;
pub mod signing;

use chrono::NaiveDateTime;
use onetable_store::subscriptions::{EventRow, SubscriptionRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An entry within the grant was approved (the first time the subscription sees it approved).
pub const APPROVED: &str = "entry.approved";
/// An approved entry was reopened: its numbers may change, they are no longer approved.
pub const REOPENED: &str = "entry.reopened";
/// An entry was approved again after it was reopened: its numbers changed after approval.
pub const CHANGED: &str = "entry.changed";

/// What a department sends to subscribe.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    /// One of the department's approved data requests.
    pub data_request_id: i64,
    /// Where events are POSTed: `https://…` at a host the operator allows.
    #[schema(example = "https://hooks.mzj.example.gov.cn/onetable")]
    pub url: String,
    /// The shared secret events are signed with (16–200 characters); never answered back.
    #[schema(example = "whsec-8f1c2e4b9a7d4c3e")]
    pub secret: String,
}

impl std::fmt::Debug for NewSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSubscription")
            .field("data_request_id", &self.data_request_id)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A subscription as its department (and the admins over the request) see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subscription {
    pub id: i64,
    pub data_request_id: i64,
    pub department: String,
    pub url: String,
    /// `active` or `cancelled`.
    pub status: String,
    pub created_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    #[schema(value_type = String)]
    pub created_at: NaiveDateTime,
    /// Events waiting to be sent (or being retried).
    pub pending: i64,
    pub delivered: i64,
    /// Events given up after 24 hours of retries (replay them with `…/events`).
    pub failed: i64,
}

impl Subscription {
    fn from_row(row: SubscriptionRow, (pending, delivered, failed): (i64, i64, i64)) -> Self {
        Self {
            id: row.id,
            data_request_id: row.data_request_id,
            department: row.department,
            url: row.url,
            status: row.status,
            created_by: row.created_by,
            created_at: row.created_at,
            pending,
            delivered,
            failed,
        }
    }
}

/// The body of a pushed event, exactly as POSTed and as replayed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookEvent {
    /// Unique per event: a receiver deduplicates on it (an event may arrive more than once).
    pub id: String,
    /// `entry.approved`, `entry.reopened` or `entry.changed`.
    #[serde(rename = "type")]
    pub kind: String,
    pub subscription: i64,
    pub data_request: i64,
    /// The village.
    pub region: String,
    pub period: String,
    /// The request's indicators the entry holds (pull them with the request's `/data`).
    pub indicators: Vec<String>,
    /// The entry's revision at the event.
    pub revision: i64,
    /// RFC 3339, UTC.
    pub occurred_at: String,
}

impl WebhookEvent {
    #[must_use]
    pub fn from_row(row: &EventRow, data_request: i64) -> Self {
        Self {
            id: row.event_id.clone(),
            kind: row.event_type.clone(),
            subscription: row.subscription_id,
            data_request,
            region: row.region_code.clone(),
            period: row.period.clone(),
            indicators: serde_json::from_str(&row.indicators).unwrap_or_default(),
            revision: row.revision,
            occurred_at: crate::time::rfc3339(&row.occurred_at),
        }
    }
}

/// An event with where its delivery stands: a line of the delivery log (投递记录).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoggedEvent {
    /// Pass as `after` to read the events after this one.
    pub cursor: String,
    pub event: WebhookEvent,
    /// `pending`, `delivered` or `failed` (given up after 24 hours).
    pub status: String,
    pub attempts: i32,
    #[serde(serialize_with = "crate::time::utc_opt")]
    #[schema(value_type = Option<String>)]
    pub last_attempt_at: Option<NaiveDateTime>,
    /// The last attempt's outcome: `HTTP 200`, `HTTP 500`, `超时`, `无法连接`, `重定向未跟随`…
    pub last_outcome: Option<String>,
    #[serde(serialize_with = "crate::time::utc_opt")]
    #[schema(value_type = Option<String>)]
    pub delivered_at: Option<NaiveDateTime>,
    /// When it is tried next, while pending.
    #[serde(serialize_with = "crate::time::utc_opt")]
    #[schema(value_type = Option<String>)]
    pub next_attempt_at: Option<NaiveDateTime>,
}

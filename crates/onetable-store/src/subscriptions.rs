//! Subscriptions (订阅推送) of department systems to their approved data requests, and the
//! outbox of events to send them (发件箱): written in the transaction that approves an entry,
//! claimed and sent by the delivery worker.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{data_requests, subscriptions, webhook_events};
use crate::sharing::DataRequestRow;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = subscriptions)]
pub struct SubscriptionRow {
    pub id: i64,
    pub data_request_id: i64,
    pub department: String,
    pub url: String,
    pub secret: String,
    /// `active` or `cancelled`.
    pub status: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub cancelled_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = subscriptions)]
pub struct NewSubscription {
    pub data_request_id: i64,
    pub department: String,
    pub url: String,
    pub secret: String,
    pub status: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = webhook_events)]
pub struct EventRow {
    pub id: i64,
    pub event_id: String,
    pub subscription_id: i64,
    pub event_type: String,
    pub region_code: String,
    pub period: String,
    /// A JSON array of indicator codes.
    pub indicators: String,
    pub revision: i64,
    pub occurred_at: NaiveDateTime,
    /// `pending`, `delivered` or `failed` (given up after the retry window).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub leased_until: Option<NaiveDateTime>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_outcome: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_events)]
pub struct NewEvent {
    pub event_id: String,
    pub subscription_id: i64,
    pub event_type: String,
    pub region_code: String,
    pub period: String,
    pub indicators: String,
    pub revision: i64,
    pub occurred_at: NaiveDateTime,
    pub status: String,
    pub next_attempt_at: NaiveDateTime,
}

/// What became of one claimed event.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The receiver answered 2xx.
    Delivered { id: i64, at: NaiveDateTime, said: String },
    /// An attempt failed; tried again at `retry_at`, or given up (`None`).
    Failed { id: i64, at: NaiveDateTime, said: String, retry_at: Option<NaiveDateTime> },
    /// Not tried this round (its receiver had just failed): released until `retry_at`.
    Postponed { id: i64, retry_at: NaiveDateTime },
}

/// # Errors
/// On a database error.
pub fn insert(conn: &mut DbConn, row: &NewSubscription) -> StoreResult<SubscriptionRow> {
    let query = diesel::insert_into(subscriptions::table).values(row);
    Ok(match conn {
        DbConn::Sqlite(c) => query.returning(SubscriptionRow::as_returning()).get_result(c)?,
        DbConn::Postgres(c) => query.returning(SubscriptionRow::as_returning()).get_result(c)?,
    })
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<SubscriptionRow>> {
    Ok(subscriptions::table.find(id).select(SubscriptionRow::as_select()).get_result(conn).optional()?)
}

/// Subscriptions of a department (`Some`), or of the requests `ids`, newest first.
///
/// # Errors
/// On a database error.
pub fn list(conn: &mut DbConn, department: Option<&str>, requests: &[i64]) -> StoreResult<Vec<SubscriptionRow>> {
    let mut query = subscriptions::table.into_boxed();
    query = match department {
        Some(department) => query.filter(subscriptions::department.eq(department.to_owned())),
        None => query.filter(subscriptions::data_request_id.eq_any(requests.to_vec())),
    };
    Ok(query.order(subscriptions::id.desc()).select(SubscriptionRow::as_select()).load(conn)?)
}

/// Cancels an active subscription; `false` when it was not active. Its pending events stay
/// (the department may still replay them) but are no longer sent.
///
/// # Errors
/// On a database error.
pub fn cancel(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> StoreResult<bool> {
    let changed = diesel::update(subscriptions::table.find(id).filter(subscriptions::status.eq("active")))
        .set((subscriptions::status.eq("cancelled"), subscriptions::cancelled_at.eq(Some(at))))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Active subscriptions with their requests, when the request is approved and not expired at
/// `now` (the caller checks the region and the indicators).
///
/// # Errors
/// On a database error.
pub fn active(conn: &mut DbConn, now: NaiveDateTime) -> StoreResult<Vec<(SubscriptionRow, DataRequestRow)>> {
    Ok(subscriptions::table
        .inner_join(data_requests::table.on(data_requests::id.eq(subscriptions::data_request_id)))
        .filter(subscriptions::status.eq("active"))
        .filter(data_requests::status.eq("approved"))
        .filter(data_requests::expires_at.gt(now))
        .select((SubscriptionRow::as_select(), DataRequestRow::as_select()))
        .load(conn)?)
}

/// Whether the subscription already had an event of `event_type` for this entry (an approval
/// after it is a change after approval).
///
/// # Errors
/// On a database error.
pub fn had_event(
    conn: &mut DbConn,
    subscription: i64,
    region: &str,
    period: &str,
    event_type: &str,
) -> StoreResult<bool> {
    Ok(diesel::select(exists(
        webhook_events::table
            .filter(webhook_events::subscription_id.eq(subscription))
            .filter(webhook_events::region_code.eq(region))
            .filter(webhook_events::period.eq(period))
            .filter(webhook_events::event_type.eq(event_type)),
    ))
    .get_result(conn)?)
}

/// # Errors
/// On a database error.
pub fn insert_events(conn: &mut DbConn, rows: &[NewEvent]) -> StoreResult<()> {
    // One statement per row: a step writes an event per covering subscription, a handful.
    for row in rows {
        diesel::insert_into(webhook_events::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Whether any event is due at `now` (pending, its time come, no live lease): a read, so that an
/// idle worker does not take the writer every second.
///
/// # Errors
/// On a database error.
pub fn any_due(conn: &mut DbConn, now: NaiveDateTime) -> StoreResult<bool> {
    Ok(diesel::select(exists(
        webhook_events::table
            .inner_join(subscriptions::table.on(subscriptions::id.eq(webhook_events::subscription_id)))
            .filter(subscriptions::status.eq("active"))
            .filter(webhook_events::status.eq("pending"))
            .filter(webhook_events::next_attempt_at.le(now))
            .filter(webhook_events::leased_until.is_null().or(webhook_events::leased_until.lt(now))),
    ))
    .get_result(conn)?)
}

diesel::alias!(webhook_events as earlier: EarlierEvents);

/// Claims up to `limit` events due at `now` for sending until `lease_until`: for each village
/// of each subscription only its oldest pending event (order per village), none another worker
/// holds, none of a cancelled subscription. Claimed by a conditional update, so that two
/// workers never both claim one.
///
/// # Errors
/// On a database error.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> StoreResult<Vec<EventRow>> {
    let free = webhook_events::leased_until.is_null().or(webhook_events::leased_until.lt(now));
    let heads: Vec<i64> = webhook_events::table
        .inner_join(subscriptions::table.on(subscriptions::id.eq(webhook_events::subscription_id)))
        .filter(subscriptions::status.eq("active"))
        .filter(webhook_events::status.eq("pending"))
        .filter(webhook_events::next_attempt_at.le(now))
        .filter(free)
        .filter(not(exists(
            earlier
                .filter(earlier.field(webhook_events::subscription_id).eq(webhook_events::subscription_id))
                .filter(earlier.field(webhook_events::region_code).eq(webhook_events::region_code))
                .filter(earlier.field(webhook_events::status).eq("pending"))
                .filter(earlier.field(webhook_events::id).lt(webhook_events::id)),
        )))
        .order(webhook_events::id)
        .limit(limit)
        .select(webhook_events::id)
        .load(conn)?;
    if heads.is_empty() {
        return Ok(Vec::new());
    }
    let free = webhook_events::leased_until.is_null().or(webhook_events::leased_until.lt(now));
    let claim = diesel::update(webhook_events::table.filter(webhook_events::id.eq_any(&heads)).filter(free))
        .set(webhook_events::leased_until.eq(Some(lease_until)));
    let claimed: Vec<EventRow> = match conn {
        DbConn::Sqlite(c) => claim.returning(EventRow::as_returning()).get_results(c)?,
        DbConn::Postgres(c) => claim.returning(EventRow::as_returning()).get_results(c)?,
    };
    let mut claimed = claimed;
    claimed.sort_by_key(|e| e.id);
    Ok(claimed)
}

/// Releases every lease: for a server that alone sends (SQLite), whatever an earlier process
/// held when it stopped is free at once.
///
/// # Errors
/// On a database error.
pub fn release_leases(conn: &mut DbConn) -> StoreResult<usize> {
    Ok(diesel::update(webhook_events::table.filter(webhook_events::leased_until.is_not_null()))
        .set(webhook_events::leased_until.eq(None::<NaiveDateTime>))
        .execute(conn)?)
}

/// Records what became of claimed events, releasing their leases.
///
/// # Errors
/// On a database error.
pub fn record(conn: &mut DbConn, outcomes: &[Outcome]) -> StoreResult<()> {
    for outcome in outcomes {
        match outcome {
            Outcome::Delivered { id, at, said } => {
                diesel::update(webhook_events::table.find(id))
                    .set((
                        webhook_events::status.eq("delivered"),
                        webhook_events::attempts.eq(webhook_events::attempts + 1),
                        webhook_events::leased_until.eq(None::<NaiveDateTime>),
                        webhook_events::last_attempt_at.eq(Some(*at)),
                        webhook_events::last_outcome.eq(Some(said)),
                        webhook_events::delivered_at.eq(Some(*at)),
                    ))
                    .execute(conn)?;
            }
            Outcome::Failed { id, at, said, retry_at } => {
                diesel::update(webhook_events::table.find(id))
                    .set((
                        webhook_events::status.eq(if retry_at.is_some() { "pending" } else { "failed" }),
                        webhook_events::attempts.eq(webhook_events::attempts + 1),
                        webhook_events::leased_until.eq(None::<NaiveDateTime>),
                        webhook_events::last_attempt_at.eq(Some(*at)),
                        webhook_events::last_outcome.eq(Some(said)),
                        webhook_events::next_attempt_at.eq(retry_at.unwrap_or(*at)),
                    ))
                    .execute(conn)?;
            }
            Outcome::Postponed { id, retry_at } => {
                diesel::update(webhook_events::table.find(id))
                    .set((
                        webhook_events::leased_until.eq(None::<NaiveDateTime>),
                        webhook_events::next_attempt_at.eq(*retry_at),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// A subscription's events after the cursor `after` (an event's `id`), oldest first.
///
/// # Errors
/// On a database error.
pub fn events_after(conn: &mut DbConn, subscription: i64, after: i64, limit: i64) -> StoreResult<Vec<EventRow>> {
    Ok(webhook_events::table
        .filter(webhook_events::subscription_id.eq(subscription))
        .filter(webhook_events::id.gt(after))
        .order(webhook_events::id)
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?)
}

/// How many of a subscription's events are in each status: (pending, delivered, failed).
///
/// # Errors
/// On a database error.
pub fn counts(conn: &mut DbConn, subscription: i64) -> StoreResult<(i64, i64, i64)> {
    let rows: Vec<(String, i64)> = webhook_events::table
        .filter(webhook_events::subscription_id.eq(subscription))
        .group_by(webhook_events::status)
        .select((webhook_events::status, diesel::dsl::count_star()))
        .load(conn)?;
    let of = |status: &str| rows.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
    Ok((of("pending"), of("delivered"), of("failed")))
}

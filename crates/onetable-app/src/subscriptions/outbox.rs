//! The outbox (发件箱): events written in the transaction that moves an entry, so that an event
//! exists exactly when the approval (or reopening) committed — never one without the other, and
//! none lost to a crash before sending. The worker ([`super::delivery`]) sends them.

use chrono::NaiveDateTime;
use onetable_core::workflow::{EntryStatus, Step};
use onetable_core::{Period, RegionCode};
use onetable_store::subscriptions::{self as store, NewEvent};
use onetable_store::DbConn;

use super::{APPROVED, CHANGED, REOPENED};
use crate::problem::Problem;
use crate::sharing::DataRequest;

/// Writes the events an entry's step makes for the subscriptions whose approved requests cover
/// it: approval (or approval again, a change after approval) and the reopening of an approved
/// entry. Nothing for other steps, or when no subscription covers the village and period.
///
/// # Errors
/// On a database error (the step's transaction then fails with it).
pub fn note(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    step: &Step,
    revision: i64,
    now: NaiveDateTime,
) -> Result<usize, Problem> {
    let reopened = step.to != EntryStatus::Approved && step.from == [EntryStatus::Approved];
    if step.to != EntryStatus::Approved && !reopened {
        return Ok(0);
    }
    let (Ok(village), Ok(at)) = (RegionCode::parse(region), Period::parse(period)) else { return Ok(0) };
    let covering: Vec<_> = store::active(conn, now)?
        .into_iter()
        .map(|(subscription, request)| (subscription, DataRequest::from_row(request, now)))
        .filter(|(_, request)| {
            RegionCode::parse(&request.region).is_ok_and(|r| r.contains(village)) && request.covers_period(at)
        })
        .collect();
    if covering.is_empty() {
        return Ok(0);
    }
    let stored: Vec<String> =
        onetable_store::entries::cell_values(conn, region, period)?.into_iter().map(|(code, _)| code).collect();
    let derived: Vec<String> = onetable_store::registry::current(conn)?
        .into_values()
        .filter(|row| row.formula.is_some())
        .map(|row| row.code)
        .collect();
    let mut events = Vec::with_capacity(covering.len());
    for (subscription, request) in covering {
        // The request's indicators this entry holds, and its derived ones (computed from them).
        let indicators: Vec<&String> =
            request.indicators.iter().filter(|code| stored.contains(code) || derived.contains(code)).collect();
        if indicators.is_empty() {
            continue;
        }
        let kind = if reopened {
            REOPENED
        } else if store::had_event(conn, subscription.id, region, period, APPROVED)? {
            CHANGED
        } else {
            APPROVED
        };
        events.push(NewEvent {
            event_id: uuid::Uuid::new_v4().to_string(),
            subscription_id: subscription.id,
            event_type: kind.to_owned(),
            region_code: region.to_owned(),
            period: period.to_owned(),
            indicators: serde_json::to_string(&indicators).map_err(Problem::internal)?,
            revision,
            occurred_at: now,
            status: "pending".to_owned(),
            next_attempt_at: now,
        });
    }
    store::insert_events(conn, &events)?;
    Ok(events.len())
}

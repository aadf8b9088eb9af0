//! The demo's subscribed department system: 民政局's first request pushes its approvals to the
//! demo receiver the `onetable demo` command starts beside the server.

use chrono::NaiveDateTime;
use onetable_store::subscriptions::{self as store, NewSubscription};
use onetable_store::DbConn;

use crate::problem::Problem;

/// The demo subscription's secret (DEMO ONLY: printed at start, like the demo passwords).
pub const DEMO_SECRET: &str = "demo-only-whsec-minzheng-2025";

/// Subscribes `request` to `url` for the demo department; a subscription of an earlier demo run
/// to another address (the receiver's port changes) is cancelled. Returns the subscription's id.
///
/// # Errors
/// On a database fault.
pub fn ensure_subscription(conn: &mut DbConn, request: i64, url: &str, now: NaiveDateTime) -> Result<i64, Problem> {
    let active: Vec<_> = store::list(conn, None, &[request])?.into_iter().filter(|s| s.status == "active").collect();
    if let Some(same) = active.iter().find(|s| s.url == url) {
        return Ok(same.id);
    }
    for earlier in active.iter().filter(|s| s.created_by == "demo_department") {
        store::cancel(conn, earlier.id, now)?;
    }
    let saved = store::insert(
        conn,
        &NewSubscription {
            data_request_id: request,
            department: "民政局".to_owned(),
            url: url.to_owned(),
            secret: DEMO_SECRET.to_owned(),
            status: "active".to_owned(),
            created_by: "demo_department".to_owned(),
            created_at: now,
        },
    )?;
    Ok(saved.id)
}

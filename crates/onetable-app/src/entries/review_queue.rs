//! The reviewer's queue (待审核): the submitted forms of the villages in the reviewer's scope (or
//! one township of it), the longest waiting first, each with its village and township names.

use chrono::NaiveDateTime;
use onetable_core::workflow::EntryStatus;
use onetable_core::{RegionCode, Role};
use onetable_store::{entries as store, regions};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actor::Actor;
use crate::input::region_code;
use crate::problem::AppResult;
use crate::App;

/// Who reviews.
pub const REVIEWERS: [Role; 2] = [Role::Reviewer, Role::Admin];

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueFilter {
    /// Only villages inside this region (a township, say); within the reviewer's scope.
    pub within: Option<String>,
}

/// A form waiting for review.
#[derive(Debug, Serialize, ToSchema)]
pub struct Waiting {
    pub region_code: String,
    pub village: String,
    pub township: String,
    pub county: String,
    pub period: String,
    pub revision: i64,
    pub submitted_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    pub submitted_at: NaiveDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewQueue {
    pub items: Vec<Waiting>,
}

/// The submitted forms the reviewer may decide.
///
/// # Errors
/// 403 for other roles, 400/404 for a bad or out-of-scope `within`.
pub async fn queue(app: &App, actor: &Actor, filter: QueueFilter) -> AppResult<ReviewQueue> {
    app.authorize(actor, "entries.queue", None, actor.require_role(&REVIEWERS)).await?;
    let within = match filter.within.as_deref() {
        Some(text) => {
            let code = region_code(text, "within")?;
            app.authorize(actor, "entries.queue", Some(code.to_string()), actor.require_read(code)).await?;
            Some(code)
        }
        None => actor.scope.region(),
    };
    app.run(move |conn| {
        let rows = store::with_status_within(conn, within, EntryStatus::Submitted.as_str())?;
        let mut codes: Vec<RegionCode> = Vec::new();
        for row in &rows {
            if let Ok(village) = RegionCode::parse(&row.region_code) {
                codes.push(village);
                // The township and the county over it.
                codes.extend(village.ancestors().into_iter().rev().take(2));
            }
        }
        codes.sort();
        codes.dedup();
        let names: std::collections::HashMap<String, String> =
            regions::find_many(conn, &codes)?.into_iter().map(|r| (r.code, r.name)).collect();
        let name = |code: &str| names.get(code).cloned().unwrap_or_default();
        let items = rows
            .into_iter()
            .map(|row| {
                let above = |steps: usize| {
                    RegionCode::parse(&row.region_code)
                        .ok()
                        .and_then(|v| v.ancestors().into_iter().rev().nth(steps))
                        .map(|t| name(&t.to_string()))
                        .unwrap_or_default()
                };
                Waiting {
                    village: name(&row.region_code),
                    township: above(0),
                    county: above(1),
                    region_code: row.region_code,
                    period: row.period,
                    revision: row.revision,
                    submitted_by: row.updated_by,
                    submitted_at: row.updated_at,
                }
            })
            .collect();
        Ok(ReviewQueue { items })
    })
    .await
}

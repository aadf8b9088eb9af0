//! The clerk's to-do list (待办): the forms of the clerk's village that are due — the last closed
//! period of every frequency that has a form — and every earlier one not yet approved, each with
//! its status and how far it is filled; returned forms first, with the reviewer's comment.

use chrono::{Datelike, NaiveDateTime};
use onetable_core::indicator::Frequency;
use onetable_core::workflow::EntryStatus;
use onetable_core::{deadline, Period, RegionCode, Role};
use onetable_store::entries as store;
use onetable_store::{regions, DbConn};
use serde::Serialize;
use utoipa::ToSchema;

use super::form::FormCache;
use super::view::view;
use crate::actor::Actor;
use crate::deadlines::Deadlines;
use crate::problem::{AppResult, Problem};
use crate::App;

/// One form on the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItem {
    #[schema(example = "2025")]
    pub period: String,
    /// `annual`, `quarterly` or `monthly`.
    pub frequency: String,
    /// `not_started`, `draft`, `submitted`, `returned` or `approved`.
    pub status: String,
    /// Send it back as `If-Match` with the first write.
    pub revision: i64,
    /// Fields with a value, of `fields` to enter.
    pub filled: usize,
    pub fields: usize,
    /// Required fields still empty.
    pub missing_required: usize,
    /// The reviewer's comment when the form was returned.
    pub return_comment: Option<String>,
    pub returned_by: Option<String>,
    #[serde(serialize_with = "crate::time::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<NaiveDateTime>,
    /// The form's due date (报送截止日期): the county's or prefecture's own, or the default.
    #[schema(value_type = String, format = Date)]
    pub due: chrono::NaiveDate,
    /// Days from today (in China) to the due date; negative: overdue by that many.
    pub days_left: i64,
    /// Past the due date and not handed in (not submitted, or returned).
    pub overdue: bool,
}

/// The clerk's village and its forms, in the order to work on them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Worklist {
    pub region: String,
    pub region_name: String,
    pub items: Vec<WorkItem>,
}

/// The periods due on `today`: the last closed period of each frequency.
fn due_periods(today: chrono::NaiveDate) -> Vec<Period> {
    let month = u8::try_from(today.month()).unwrap_or(1);
    [Frequency::Annual, Frequency::Quarterly, Frequency::Monthly]
        .into_iter()
        .map(|frequency| Period::last_closed(frequency, today.year(), month))
        .collect()
}

/// Returned first, then what is still open, then what waits for review, then what is done;
/// within each, the newest period first.
fn order(status: &str) -> u8 {
    match status {
        "returned" => 0,
        "not_started" | "draft" => 1,
        "submitted" => 2,
        _ => 3,
    }
}

fn item(
    conn: &mut DbConn,
    forms: &FormCache,
    region: RegionCode,
    period: Period,
    today: chrono::NaiveDate,
) -> AppResult<Option<WorkItem>> {
    // A frequency with no active indicator has no form, and nothing is due for it.
    let Ok(form) = forms.get(conn, period) else { return Ok(None) };
    let stored = store::find(conn, &region.to_string(), &period.to_string())?;
    let entry = view(conn, &form, region, period)?;
    let returned = if entry.status == EntryStatus::Returned.as_str() {
        store::latest_event(conn, &region.to_string(), &period.to_string(), onetable_core::workflow::RETURN.name)?
    } else {
        None
    };
    let due = Deadlines::around(conn, region, period)?.due(region, period).due;
    let days_left = deadline::days_left(due, today);
    let handed_in = matches!(entry.status.as_str(), "submitted" | "approved");
    Ok(Some(WorkItem {
        due,
        days_left,
        overdue: days_left < 0 && !handed_in,
        frequency: period.frequency().as_ref().to_owned(),
        status: if stored.is_some() { entry.status.clone() } else { "not_started".to_owned() },
        revision: entry.revision,
        filled: entry.values.iter().filter(|c| form.entered.contains_key(&c.code)).count(),
        fields: form.entered.len(),
        missing_required: entry.missing_required.len(),
        return_comment: returned.as_ref().and_then(|e| e.comment.clone()),
        returned_by: returned.map(|e| e.actor),
        updated_at: stored.map(|s| s.updated_at),
        period: entry.period,
    }))
}

/// The actor's to-do list: for a village's clerk.
///
/// # Errors
/// 403 for other roles.
pub async fn worklist(app: &App, actor: &Actor) -> AppResult<Worklist> {
    app.authorize(actor, "worklist.read", None, actor.require_role(&[Role::Clerk])).await?;
    let region = actor.scope.region().ok_or_else(|| Problem::forbidden("forbidden", "填报员账户没有所属村"))?;
    let today = crate::time::china_today();
    let forms = app.forms.clone();
    app.run(move |conn| {
        let name = regions::find(conn, region)?.map(|r| r.name).unwrap_or_default();
        let mut periods = due_periods(today);
        for entry in store::of_region(conn, &region.to_string())? {
            if entry.status != EntryStatus::Approved.as_str() {
                if let Ok(period) = Period::parse(&entry.period) {
                    periods.push(period);
                }
            }
        }
        periods.sort();
        periods.dedup();
        let mut items = Vec::new();
        for period in periods {
            if let Some(item) = item(conn, &forms, region, period, today)? {
                items.push((period, item));
            }
        }
        // Annual before quarterly before monthly (Period orders so), the newest first within.
        items.sort_by_key(|(period, item)| (order(&item.status), period.frequency() as u8, std::cmp::Reverse(*period)));
        let items = items.into_iter().map(|(_, item)| item).collect();
        Ok(Worklist { region: region.to_string(), region_name: name, items })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_closed_period_of_each_frequency_is_due() {
        let due = due_periods(chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap());
        let due: Vec<String> = due.iter().map(ToString::to_string).collect();
        assert_eq!(due, ["2025", "2025Q4", "2025-12"]);
    }
}

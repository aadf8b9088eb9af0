//! Due dates (报送截止日期): each frequency's form is due a number of days after its period ends
//! (31 January for annual forms, 15 days after a quarter, 10 after a month), unless a county,
//! prefecture or province admin sets its own for its scope — a standing rule per frequency, or a
//! date for one period. The nearest region's setting wins; at one region a period's date beats
//! the frequency's rule.

pub mod timeliness;

use chrono::NaiveDate;
use onetable_core::deadline::{self, MAX_DAYS_AFTER};
use onetable_core::indicator::Frequency;
use onetable_core::{Period, RegionCode, RegionLevel, Role};
use onetable_store::deadlines::{self as store, DeadlineRow};
use onetable_store::{regions, DbConn};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::{region_not_found, Actor};
use crate::entries::parse_period;
use crate::input::region_code;
use crate::problem::{AppResult, Problem};
use crate::App;

/// A period's due date for a village, and who set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDate {
    pub due: NaiveDate,
    /// The region whose admin set it; none: the default.
    pub set_at: Option<String>,
}

/// The deadlines that may apply to some villages, loaded once.
pub struct Deadlines {
    rows: Vec<DeadlineRow>,
}

impl Deadlines {
    /// Those set at `region`'s ancestors, at `region`, or inside it, for `period` or its frequency.
    ///
    /// # Errors
    /// On a database error.
    pub fn around(conn: &mut DbConn, region: RegionCode, period: Period) -> AppResult<Self> {
        let keys = [period.to_string(), period.frequency().as_ref().to_owned()];
        let mut codes: Vec<String> = region.ancestors().iter().map(ToString::to_string).collect();
        codes.push(region.to_string());
        let mut rows = store::set_at(conn, &codes, &keys)?;
        rows.extend(
            store::within(conn, &region.to_string(), &region.descendant_upper_bound())?
                .into_iter()
                .filter(|r| r.region_code != region.to_string() && keys.contains(&r.applies_to)),
        );
        Ok(Self { rows })
    }

    /// When `village`'s form of `period` is due.
    #[must_use]
    pub fn due(&self, village: RegionCode, period: Period) -> DueDate {
        let (exact, frequency) = (period.to_string(), period.frequency().as_ref().to_owned());
        let mut levels: Vec<RegionCode> = village.ancestors();
        levels.push(village);
        for level in levels.iter().rev() {
            let code = level.to_string();
            let here = |key: &str| self.rows.iter().find(|r| r.region_code == code && r.applies_to == key);
            if let Some(due) = here(&exact).and_then(|r| r.due_date) {
                return DueDate { due, set_at: Some(code) };
            }
            if let Some(days) = here(&frequency).and_then(|r| r.days_after) {
                return DueDate { due: deadline::due(period, u32::try_from(days).unwrap_or(0)), set_at: Some(code) };
            }
        }
        DueDate { due: deadline::due(period, deadline::default_days_after(period.frequency())), set_at: None }
    }
}

/// A deadline as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deadline {
    pub region: String,
    pub region_name: Option<String>,
    /// `annual`, `quarterly`, `monthly` (a standing rule) or a period such as `2025Q1`.
    pub applies_to: String,
    /// A standing rule: the form is due this many days after its period ends.
    pub days_after: Option<i32>,
    /// One period's due date.
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<NaiveDate>,
    pub set_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub set_at: chrono::NaiveDateTime,
}

/// What an admin sets: `frequency` with `days_after`, or `period` with `due` (YYYY-MM-DD).
#[derive(Debug, Clone, Default)]
pub struct DeadlineChange {
    pub region: String,
    pub frequency: Option<String>,
    pub days_after: Option<i64>,
    pub period: Option<String>,
    pub due: Option<String>,
}

fn invalid(field: &str, code: &str, message: impl Into<String>) -> Problem {
    Problem::unprocessable("validation_failed", "截止日期设置不符合要求").with_detail(Some(field), code, message)
}

/// The row a change stores, checked: the region a county, prefecture or province; a rule's days
/// within 0–366; a period's date not before the period ends.
fn checked(
    change: &DeadlineChange,
    region: RegionCode,
    actor: &Actor,
    now: chrono::NaiveDateTime,
) -> AppResult<DeadlineRow> {
    if !matches!(region.level(), RegionLevel::County | RegionLevel::Prefecture | RegionLevel::Province) {
        return Err(invalid("region", "region_level_not_allowed", "截止日期由县、市（州）或省设置"));
    }
    let (applies_to, days_after, due_date) = match (&change.frequency, &change.period) {
        (Some(frequency), None) => {
            let frequency: Frequency = frequency.parse().map_err(|_| {
                invalid("frequency", "invalid_frequency", "frequency 须为 annual、quarterly 或 monthly")
            })?;
            let days = change.days_after.ok_or_else(|| invalid("days_after", "required", "请填写期末后的天数"))?;
            if !(0..=i64::from(MAX_DAYS_AFTER)).contains(&days) {
                return Err(invalid(
                    "days_after",
                    "out_of_range",
                    format!("期末后的天数须在 0 到 {MAX_DAYS_AFTER} 之间"),
                ));
            }
            (frequency.as_ref().to_owned(), Some(i32::try_from(days).unwrap_or(0)), None)
        }
        (None, Some(period)) => {
            let period =
                parse_period(period).map_err(|p| invalid("period", "invalid_period", p.message().to_owned()))?;
            let text = change.due.as_deref().ok_or_else(|| invalid("due", "required", "请填写截止日期"))?;
            let due = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                invalid("due", "invalid_date", format!("截止日期“{text}”无效：应为 2026-01-31 这样的日期"))
            })?;
            if !deadline::may_be_due(period, due) {
                return Err(invalid(
                    "due",
                    "before_period_end",
                    format!("截止日期不能早于期末（{}）", deadline::label(deadline::last_day(period))),
                ));
            }
            (period.to_string(), None, Some(due))
        }
        _ => {
            return Err(invalid(
                "frequency",
                "one_of",
                "请二选一：frequency 与 days_after（常设规则），或 period 与 due（某一期）",
            ));
        }
    };
    Ok(DeadlineRow {
        region_code: region.to_string(),
        applies_to,
        days_after,
        due_date,
        set_by: actor.subject.clone(),
        set_at: now,
    })
}

fn shown(row: DeadlineRow, name: Option<String>) -> Deadline {
    Deadline {
        region: row.region_code,
        region_name: name,
        applies_to: row.applies_to,
        days_after: row.days_after,
        due: row.due_date,
        set_by: row.set_by,
        set_at: row.set_at,
    }
}

/// An admin sets a due date for its scope (or a region inside it).
///
/// # Errors
/// 403 not an admin or outside its scope; 400 a malformed region; 404 an unknown region; 422 the
/// fields, naming the one at fault.
pub async fn set(app: &App, actor: &Actor, change: DeadlineChange) -> AppResult<Deadline> {
    app.authorize(actor, "deadlines.set", Some(change.region.clone()), actor.require_role(&[Role::Admin])).await?;
    let region = region_code(&change.region, "region")?;
    app.authorize(actor, "deadlines.set", Some(region.to_string()), actor.require_write(region)).await?;
    let row = checked(&change, region, actor, chrono::Utc::now().naive_utc())?;
    let stored = row.clone();
    let name = app
        .write(move |conn| {
            let name = regions::find(conn, region)?.ok_or_else(|| region_not_found(region))?.name;
            store::put(conn, &stored)?;
            Ok(name)
        })
        .await?;
    let mut event = actor.event("deadlines.set", Some(region.to_string()), "success");
    event.detail = Some(format!("{} days_after={:?} due={:?}", row.applies_to, row.days_after, row.due_date));
    app.audit(event).await?;
    Ok(shown(row, Some(name)))
}

/// The deadlines set in the actor's scope (or `within` it), and above it.
///
/// # Errors
/// 403 for roles other than reviewer and admin; 404 `within` outside the scope.
pub async fn list(app: &App, actor: &Actor, within: Option<String>) -> AppResult<Vec<Deadline>> {
    app.authorize(actor, "deadlines.read", None, actor.require_role(&[Role::Admin, Role::Reviewer])).await?;
    let within = match within.as_deref() {
        Some(text) => region_code(text, "within")?,
        None => actor.scope.region().ok_or_else(|| Problem::bad_request("invalid_query", "请指定 within"))?,
    };
    actor.require_read(within)?;
    app.run(move |conn| {
        let mut rows = store::within(conn, &within.to_string(), &within.descendant_upper_bound())?;
        let above: Vec<String> = within.ancestors().iter().map(ToString::to_string).collect();
        let keys = ["annual", "quarterly", "monthly"].map(str::to_owned);
        rows.extend(store::set_at(conn, &above, &keys)?);
        let names = crate::regions::names::names(conn, rows.iter().map(|r| r.region_code.as_str()))?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let name = names.get(&r.region_code).cloned();
                shown(r, name)
            })
            .collect())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(region: &str, applies_to: &str, days_after: Option<i32>, due: Option<NaiveDate>) -> DeadlineRow {
        DeadlineRow {
            region_code: region.to_owned(),
            applies_to: applies_to.to_owned(),
            days_after,
            due_date: due,
            set_by: "t".to_owned(),
            set_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn the_nearest_region_wins_and_a_periods_date_beats_a_rule() {
        let village = RegionCode::parse("522301100200").unwrap();
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let none = Deadlines { rows: vec![] };
        assert_eq!(none.due(village, Period::Year(2025)), DueDate { due: date(2026, 1, 31), set_at: None });
        let set = Deadlines {
            rows: vec![
                row("522300000000", "annual", Some(20), None),
                row("522301000000", "annual", Some(45), None),
                row("522300000000", "2025Q1", None, Some(date(2025, 4, 5))),
                row("522301000000", "quarterly", Some(20), None),
            ],
        };
        assert_eq!(set.due(village, Period::Year(2025)).due, date(2026, 2, 14), "the county's 45 days");
        assert_eq!(set.due(village, Period::Quarter(2025, 1)).due, date(2025, 4, 20), "the county's rule is nearer");
        let other = RegionCode::parse("522326102214").unwrap();
        assert_eq!(set.due(other, Period::Quarter(2025, 1)).due, date(2025, 4, 5), "the prefecture's date");
        assert_eq!(set.due(other, Period::Year(2025)).set_at.as_deref(), Some("522300000000"));
    }
}

//! The demo (演示数据): five years of every demo village's annual form, the last four quarters'
//! and twelve months' forms, a few villages with warnings or a population that jumps, and the
//! latest periods spread over every workflow state so the review screens have something to show;
//! the demo department's approved request and the prefecture's dashboard.

mod registers;
mod subscription;
mod supplies;
mod values;

pub use registers::{ensure_registers, REGISTER_LINKS};
pub use subscription::{ensure_subscription, DEMO_SECRET};
pub use supplies::ensure_supplies;
pub use values::{complete, month_values, period_values, quarter_values, village_values, village_values_in};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use onetable_core::indicator::Frequency;
use onetable_core::{Period, RegionCode};
use onetable_store::audit::{self, NewAuditEvent};
use onetable_store::cells as store;
use onetable_store::cells::DataValueRow;
use onetable_store::entries::{self as entry_store, EntryRow, NewEntryEvent};
use onetable_store::DbConn;
use serde::Serialize;

use onetable_core::workflow::EntryStatus;

use crate::entries::load_form;
use crate::problem::Problem;

/// The village the demo clerk keeps: left in draft, complete and clean.
pub const DEMO_CLERK_VILLAGE: &str = "522301100200";

/// What the demo filled.
#[derive(Debug, Default, Serialize)]
pub struct DemoSummary {
    pub villages: usize,
    /// Periods filled, oldest first: five years, the last four quarters, the last twelve months.
    pub periods: Vec<String>,
    pub entries: usize,
    pub values: usize,
    /// The latest year's forms by state.
    pub draft: usize,
    pub submitted: usize,
    pub approved: usize,
    pub with_warnings: usize,
    /// Villages whose population jumps in the latest year: a change worth a second look.
    pub jumps: usize,
    pub skipped_existing: bool,
}

/// The demo's years (the last closed one last).
pub const YEARS: std::ops::RangeInclusive<i32> = 2021..=2025;

/// The periods the demo fills for `today` (China's date): [`YEARS`], and the last four quarters
/// and twelve months closed by today.
#[must_use]
pub fn periods(today: NaiveDate) -> Vec<Period> {
    let month = u8::try_from(today.month()).unwrap_or(1);
    let mut out: Vec<Period> = YEARS.map(Period::Year).collect();
    for (frequency, count) in [(Frequency::Quarterly, 4), (Frequency::Monthly, 12)] {
        let mut period = Period::last_closed(frequency, today.year(), month);
        let mut some = Vec::new();
        for _ in 0..count {
            some.push(period);
            period = period.previous();
        }
        out.extend(some.into_iter().rev());
    }
    out
}

/// How a village's form of a period stands in the demo: the older periods approved; the latest
/// of each frequency spread over every state, so the review screens have work; the demo clerk's
/// latest year in draft, a third filled, the year before approved, so "上期无变化，一键确认" is
/// the first thing the clerk is offered.
fn status_of(index: usize, latest: bool, clerk: bool, warning: bool) -> EntryStatus {
    if !latest {
        return EntryStatus::Approved;
    }
    match index % 10 {
        _ if clerk || warning => EntryStatus::Draft,
        4..=6 => EntryStatus::Submitted,
        7..=9 => EntryStatus::Approved,
        _ => EntryStatus::Draft,
    }
}

/// When a period's forms were submitted and approved: three days before they were due (so the
/// earlier periods read as handed in on time); now, for the latest ones.
fn decided_at(period: Period, latest: bool, now: NaiveDateTime) -> NaiveDateTime {
    if latest {
        return now;
    }
    let due = onetable_core::deadline::due(period, onetable_core::deadline::default_days_after(period.frequency()));
    (due - chrono::TimeDelta::days(3)).and_hms_opt(10, 0, 0).map_or(now, |at| at.min(now))
}

/// Fills the demo's periods for every current village inside `within` ([`periods`]), unless the
/// latest year has entries there already (a demo run twice keeps what people changed).
///
/// # Errors
/// On a database fault.
pub fn fill(
    conn: &mut DbConn,
    within: RegionCode,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<DemoSummary, Problem> {
    let latest_year = Period::Year(*YEARS.end());
    let villages: Vec<String> =
        entry_store::village_statuses(conn, within, &latest_year.to_string())?.into_iter().map(|(v, _)| v).collect();
    let mut summary = DemoSummary { villages: villages.len(), ..DemoSummary::default() };
    if !entry_store::entries_of(conn, &latest_year.to_string(), &villages)?.is_empty() {
        summary.skipped_existing = true;
        return Ok(summary);
    }
    let periods = periods(today);
    onetable_store::connection::transaction(conn, |conn| {
        for (i, period) in periods.iter().enumerate() {
            let latest = periods[i + 1..].iter().all(|p| p.frequency() != period.frequency());
            fill_period(conn, &villages, *period, latest, now, &mut summary)?;
            summary.periods.push(period.to_string());
        }
        Ok::<_, Problem>(())
    })?;
    Ok(summary)
}

/// One period's forms for every village, written in batches.
fn fill_period(
    conn: &mut DbConn,
    villages: &[String],
    period: Period,
    latest: bool,
    now: NaiveDateTime,
    summary: &mut DemoSummary,
) -> Result<(), Problem> {
    let form = load_form(conn, period)?;
    let period_text = period.to_string();
    let annual = matches!(period, Period::Year(_));
    let decided = decided_at(period, latest, now);
    let (mut rows, mut entries, mut events, mut trail) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (index, village) in villages.iter().enumerate() {
        let Ok(code) = RegionCode::parse(village) else { continue };
        let clerk = village == DEMO_CLERK_VILLAGE;
        let warning = annual && latest && !clerk && index % 25 == 5;
        let jump = annual && !clerk && index % 97 == 13;
        let mut values = values::period_values(code, period, warning, jump);
        if annual {
            values::complete(&form, &mut values);
        }
        values.retain(|c, _| form.entered.contains_key(c));
        let status = status_of(index, latest, clerk, warning);
        // Every tenth village is half done in the latest period; the clerk's a third.
        if latest && (clerk || (index % 10 == 0 && status == EntryStatus::Draft)) {
            let keep = if clerk { values.len() / 3 } else { values.len() / 2 };
            values = values.into_iter().take(keep).collect();
        }
        if annual && latest {
            match status {
                EntryStatus::Submitted => summary.submitted += 1,
                EntryStatus::Approved => summary.approved += 1,
                EntryStatus::Draft | EntryStatus::Returned => summary.draft += 1,
            }
            summary.with_warnings += usize::from(warning);
            summary.jumps += usize::from(jump);
        }
        summary.values += values.len();
        let entered_at = if latest { now } else { decided - chrono::TimeDelta::days(10) };
        rows.extend(values.into_iter().map(|(indicator_code, value)| DataValueRow {
            region_code: village.clone(),
            indicator_code,
            period: period_text.clone(),
            value,
            source: "import".to_owned(),
            revision: 1,
            entered_by: "demo".to_owned(),
            entered_at,
        }));
        let steps: &[&str] = match status {
            EntryStatus::Submitted => &["submit"],
            EntryStatus::Approved => &["submit", "approve"],
            EntryStatus::Draft | EntryStatus::Returned => &[],
        };
        for (step, action) in steps.iter().enumerate() {
            // The demo clerk's own village has a history its accounts made: the auditor who
            // filters for demo_clerk finds its submissions, and demo_reviewer's approvals.
            let (actor, at) = if clerk { demo_step(action, decided) } else { ("demo", decided) };
            events.push(NewEntryEvent {
                region_code: village.clone(),
                period: period_text.clone(),
                action: (*action).to_owned(),
                actor: actor.to_owned(),
                comment: None,
                revision: i64::try_from(step).unwrap_or(0) + 2,
                occurred_at: at,
            });
            if clerk {
                trail.push(NewAuditEvent {
                    occurred_at: at,
                    actor: Some(actor.to_owned()),
                    role: Some(if *action == "submit" { "clerk" } else { "reviewer" }.to_owned()),
                    action: format!("entries.{action}"),
                    target: Some(format!("{village}/{period_text}")),
                    outcome: "success".to_owned(),
                    request_id: None,
                    client_addr: None,
                    detail: None,
                });
            }
        }
        entries.push(EntryRow {
            region_code: village.clone(),
            period: period_text.clone(),
            status: status.as_str().to_owned(),
            revision: 1 + i64::try_from(steps.len()).unwrap_or(0),
            updated_by: "demo".to_owned(),
            updated_at: decided,
        });
    }
    summary.entries += entries.len();
    store::insert_cells(conn, &rows)?;
    entry_store::record_events(conn, &events)?;
    entry_store::insert_entries(conn, &entries)?;
    for event in &trail {
        audit::record(conn, event)?;
    }
    Ok(())
}

/// Who took a step of the demo clerk's form, and when: the clerk submits three days before the
/// reviewer approves.
fn demo_step(action: &str, decided: NaiveDateTime) -> (&'static str, NaiveDateTime) {
    if action == "submit" {
        ("demo_clerk", decided - chrono::TimeDelta::days(3))
    } else {
        ("demo_reviewer", decided)
    }
}

/// An approved demo data request (报表准入) of the demo department over the demo prefecture, so
/// that pulls work at once; created once. Returns its id.
///
/// # Errors
/// On a database fault.
pub fn ensure_request(conn: &mut DbConn, prefecture: RegionCode, now: NaiveDateTime) -> Result<i64, Problem> {
    use onetable_store::sharing::{self, RequestScope};
    let department = "民政局";
    let (existing, _) = sharing::list(conn, &RequestScope::Department(department.to_owned()), None, 100, 0)?;
    if let Some(first) = existing.iter().map(|r| r.id).min() {
        return Ok(first);
    }
    let row = sharing::NewDataRequest {
        title: "2025 年养老服务统计（演示）".to_owned(),
        purpose: "养老服务设施规划".to_owned(),
        legal_basis: "《中华人民共和国老年人权益保障法》".to_owned(),
        department: department.to_owned(),
        requested_by: "demo_department".to_owned(),
        region_code: prefecture.to_string(),
        indicators: "POP.REGISTERED,POP.HOUSEHOLDS,POP.AGED_60,DER.AGEING_RATE".to_owned(),
        periods: Some("2025".to_owned()),
        frequency: None,
        start_period: None,
        expires_at: now + chrono::Duration::days(365),
        status: crate::sharing::PENDING.to_owned(),
        created_at: now,
        registers: None,
        full_values_asked: false,
    };
    let saved = sharing::insert(conn, &row)?;
    sharing::decide(conn, saved.id, crate::sharing::PENDING, crate::sharing::APPROVED, "demo_admin", None, now)?;
    // A second one mixing frequencies: monthly 低保 counts beside the annual population, each
    // downloaded in its own periods.
    let today = (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive();
    let month = Period::last_closed(Frequency::Monthly, today.year(), u8::try_from(today.month()).unwrap_or(1));
    let months = [month.previous().previous(), month.previous(), month];
    let mixed = sharing::NewDataRequest {
        title: "低保对象动态管理（演示）".to_owned(),
        purpose: "低保对象按月核查".to_owned(),
        legal_basis: "《社会救助暂行办法》".to_owned(),
        indicators: "SOC.DIBAO_HOUSEHOLDS,SOC.DIBAO_PERSONS,DER.DIBAO_RATE,POP.REGISTERED".to_owned(),
        periods: Some(format!("{},{}", *YEARS.end(), months.map(|m| m.to_string()).join(","))),
        ..row
    };
    let second = sharing::insert(conn, &mixed)?;
    sharing::decide(conn, second.id, crate::sharing::PENDING, crate::sharing::APPROVED, "demo_admin", None, now)?;
    Ok(saved.id)
}

/// The demo prefecture's dashboard (看板), shared with its viewers, who land on it; created once.
/// Returns its id.
///
/// # Errors
/// On a database fault.
pub fn ensure_dashboard(conn: &mut DbConn, prefecture: RegionCode, now: NaiveDateTime) -> Result<i64, Problem> {
    use onetable_store::dashboards::{self as saved, DashboardContent};
    let region = prefecture.to_string();
    if let Some(existing) = saved::of_regions(conn, &region, &region)?.last() {
        return Ok(existing.id);
    }
    let items = serde_json::json!([
        {"title": "各县（市、区）填报完成情况", "chart": "completeness", "period": "latest_annual"},
        {"chart": "bar", "indicators": ["POP.REGISTERED", "DER.AGEING_RATE"], "period": "latest_annual"},
        {"title": "老龄化率近三年", "chart": "line", "indicators": ["DER.AGEING_RATE"], "period": "latest_annual", "span": 3},
        {"title": "基础数据表", "chart": "table", "indicators": ["POP.HOUSEHOLDS", "POP.REGISTERED", "POP.AGED_60", "DER.AGEING_RATE"], "period": "latest_annual"},
    ]);
    let content = DashboardContent {
        name: "黔西南州基础数据看板（演示）".to_owned(),
        region_code: region,
        items: items.to_string(),
        shared: true,
        updated_by: "demo_admin".to_owned(),
        updated_at: now,
    };
    Ok(saved::insert(conn, &content)?.id)
}

/// A reminder (催报) from the demo reviewer to the demo clerk about the latest annual form, so the
/// clerk's home shows one at once; sent once.
///
/// # Errors
/// On a database fault.
pub fn ensure_reminder(
    conn: &mut DbConn,
    village: RegionCode,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), Problem> {
    use onetable_store::reminders::{self, NewReminder};
    let code = village.to_string();
    if !reminders::within(conn, &code, &code, None, 1)?.is_empty() {
        return Ok(());
    }
    let period = Period::Year(today.year() - 1);
    let due = crate::deadlines::Deadlines::around(conn, village, period)?.due(village, period).due;
    let row = NewReminder {
        region_code: code,
        period: period.to_string(),
        message: crate::reminders::default_message(period, due),
        sent_by: "demo_reviewer".to_owned(),
        sent_at: now,
    };
    reminders::insert(conn, &[row])?;
    Ok(())
}

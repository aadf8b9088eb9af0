//! Reminders (催报): a reviewer or admin chases villages whose form is late; the clerk sees the
//! reminder first on the home page until the form is submitted, and the sender sees who read it.
//! Each village gets at most [`PER_VILLAGE_PER_DAY`] a day; a township or county may have its chat
//! group robot (钉钉, 企业微信) post them too ([`hooks`]).

pub mod hooks;

use chrono::{NaiveDate, NaiveDateTime};
use onetable_core::{deadline, Period, RegionCode, RegionLevel, Role};
use onetable_store::entries;
use onetable_store::reminders::{self as store, NewReminder, ReminderRow};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::Actor;
use crate::deadlines::Deadlines;
use crate::entries::parse_period;
use crate::input::region_code;
use crate::problem::{AppResult, Kind, Problem};
use crate::App;

/// Reminders one village may get in a day (China time), from everyone together.
pub const PER_VILLAGE_PER_DAY: i64 = 3;

/// Most villages one reminder goes to.
pub const MAX_VILLAGES: usize = 2_000;

/// A reminder as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reminder {
    pub id: i64,
    pub region: String,
    pub region_name: Option<String>,
    pub period: String,
    pub message: String,
    pub sent_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub sent_at: NaiveDateTime,
    /// Who of the village read it first, and when (none: unread).
    pub read_by: Option<String>,
    #[serde(serialize_with = "crate::time::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<NaiveDateTime>,
    /// What the chat group robot answered (none: no robot for this village).
    pub delivery: Option<String>,
}

fn shown(row: ReminderRow, name: Option<String>) -> Reminder {
    Reminder {
        id: row.id,
        region: row.region_code,
        region_name: name,
        period: row.period,
        message: row.message,
        sent_by: row.sent_by,
        sent_at: row.sent_at,
        read_by: row.read_by,
        read_at: row.read_at,
        delivery: row.delivery,
    }
}

/// What a sender asks: these villages, about this period's form, with this message (default: a
/// text naming the period and its due date).
#[derive(Debug, Clone, Default)]
pub struct ReminderAsk {
    pub period: String,
    pub villages: Vec<String>,
    pub message: Option<String>,
}

/// The default message: which form, and when it was due.
#[must_use]
pub fn default_message(period: Period, due: NaiveDate) -> String {
    format!("请尽快填报并提交 {period} 的报表（截止日期 {}）。如有困难请联系乡镇。", deadline::label(due))
}

/// The start of today in China, as a stored (UTC) time.
fn china_midnight_utc() -> NaiveDateTime {
    crate::time::china_today().and_hms_opt(0, 0, 0).unwrap_or_default() - chrono::TimeDelta::hours(8)
}

/// A reviewer or admin sends a reminder to villages in its scope.
///
/// # Errors
/// 403 another role, or a village outside the scope (nothing is sent); 422 no village, not a
/// village, a bad period or message; 429 `reminder_limit` when a village had its reminders today.
pub async fn send(app: &App, actor: &Actor, ask: ReminderAsk) -> AppResult<Vec<Reminder>> {
    app.authorize(actor, "reminders.send", None, actor.require_role(&[Role::Reviewer, Role::Admin])).await?;
    let period = parse_period(ask.period.trim())?;
    if ask.villages.is_empty() || ask.villages.len() > MAX_VILLAGES {
        return Err(Problem::unprocessable("validation_failed", "请选择要催报的村").with_detail(
            Some("villages"),
            "required",
            format!("一次催报 1 到 {MAX_VILLAGES} 个村"),
        ));
    }
    let mut villages = Vec::with_capacity(ask.villages.len());
    for text in &ask.villages {
        let code = region_code(text, "villages")?;
        if code.level() != RegionLevel::Village {
            return Err(Problem::unprocessable("validation_failed", "只能向村催报").with_detail(
                Some("villages"),
                "not_a_village",
                format!("{code} 不是村级区划"),
            ));
        }
        app.authorize(actor, "reminders.send", Some(code.to_string()), actor.require_write(code)).await?;
        villages.push(code);
    }
    villages.sort();
    villages.dedup();
    let message = ask.message.map(|m| m.trim().to_owned()).filter(|m| !m.is_empty());
    if message.as_ref().is_some_and(|m| m.chars().count() > 500) {
        return Err(Problem::unprocessable("validation_failed", "催报内容过长").with_detail(
            Some("message"),
            "too_long",
            "催报内容最多 500 个字",
        ));
    }
    let (sender, now, since) = (actor.subject.clone(), chrono::Utc::now().naive_utc(), china_midnight_utc());
    // Names and default texts are read first; the write turn only counts and stores.
    let targets = villages.clone();
    let (names, rows) = app
        .run(move |conn| {
            let codes: Vec<String> = targets.iter().map(ToString::to_string).collect();
            let names = crate::regions::names::names(conn, codes.iter().map(String::as_str))?;
            // One load of the due dates per county the villages lie in.
            let mut counties: Vec<RegionCode> = targets.iter().map(|v| v.truncated_to(RegionLevel::County)).collect();
            counties.dedup();
            let mut due = std::collections::HashMap::new();
            for county in counties {
                let deadlines = Deadlines::around(conn, county, period)?;
                for village in targets.iter().filter(|v| county.contains(**v)) {
                    due.insert(*village, deadlines.due(*village, period).due);
                }
            }
            let rows: Vec<NewReminder> = targets
                .iter()
                .map(|village| NewReminder {
                    region_code: village.to_string(),
                    period: period.to_string(),
                    message: message
                        .clone()
                        .unwrap_or_else(|| default_message(period, due.get(village).copied().unwrap_or_default())),
                    sent_by: sender.clone(),
                    sent_at: now,
                })
                .collect();
            Ok((names, rows))
        })
        .await?;
    let limited = names.clone();
    let sent = app
        .write(move |conn| {
            let codes: Vec<String> = rows.iter().map(|r| r.region_code.clone()).collect();
            let at_limit: Vec<String> = store::counts_since(conn, &codes, since)?
                .into_iter()
                .filter(|(_, count)| *count >= PER_VILLAGE_PER_DAY)
                .map(|(code, _)| code)
                .collect();
            if !at_limit.is_empty() {
                let listed: Vec<String> =
                    at_limit.iter().map(|c| limited.get(c).cloned().unwrap_or_else(|| c.clone())).collect();
                let mut problem = Problem::new(
                    Kind::RateLimited,
                    "reminder_limit",
                    format!(
                        "每个村每天最多催报 {PER_VILLAGE_PER_DAY} 次，今天已催满：{}；本次未发送",
                        listed.join("、")
                    ),
                );
                for code in at_limit {
                    problem = problem.with_detail(Some("villages"), "reminder_limit", code);
                }
                return Err(problem);
            }
            Ok(store::insert(conn, &rows)?)
        })
        .await?;
    let mut event = actor.event("reminders.send", Some(period.to_string()), "success");
    event.detail = Some(format!("villages={}", sent.len()));
    app.audit(event).await?;
    let delivered = hooks::deliver(app, &sent, &names).await?;
    Ok(delivered
        .into_iter()
        .map(|row| {
            let name = names.get(&row.region_code).cloned();
            shown(row, name)
        })
        .collect())
}

/// The reminders sent to villages in the actor's scope (or `within` it), of `period` if given,
/// newest first (at most 500): for the sender to see who has read them.
///
/// # Errors
/// 403 another role; 404 `within` outside the scope.
pub async fn sent(
    app: &App,
    actor: &Actor,
    within: Option<String>,
    period: Option<String>,
) -> AppResult<Vec<Reminder>> {
    app.authorize(actor, "reminders.read", None, actor.require_role(&[Role::Reviewer, Role::Admin])).await?;
    let within = match within.as_deref() {
        Some(text) => region_code(text, "within")?,
        None => actor.scope.region().ok_or_else(|| Problem::bad_request("invalid_query", "请指定 within"))?,
    };
    actor.require_read(within)?;
    let period = period.map(|p| parse_period(p.trim())).transpose()?.map(|p| p.to_string());
    app.run(move |conn| {
        let rows = store::within(conn, &within.to_string(), &within.descendant_upper_bound(), period.as_deref(), 500)?;
        named(conn, rows)
    })
    .await
}

fn named(conn: &mut onetable_store::DbConn, rows: Vec<ReminderRow>) -> AppResult<Vec<Reminder>> {
    let names = crate::regions::names::names(conn, rows.iter().map(|r| r.region_code.as_str()))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let name = names.get(&r.region_code).cloned();
            shown(r, name)
        })
        .collect())
}

/// The clerk's reminders: those of periods whose form is not yet handed in (submitted or
/// approved), newest first.
///
/// # Errors
/// 403 for anyone but a clerk.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<Vec<Reminder>> {
    app.authorize(actor, "reminders.read", None, actor.require_role(&[Role::Clerk])).await?;
    let village = actor.scope.region().ok_or_else(|| Problem::forbidden("forbidden", "填报员账户没有所属村"))?;
    app.run(move |conn| {
        let code = village.to_string();
        let rows = store::within(conn, &code, &code, None, 100)?;
        let mut open = Vec::new();
        for row in rows {
            let status = entries::find(conn, &code, &row.period)?.map(|e| e.status);
            if !matches!(status.as_deref(), Some("submitted" | "approved")) {
                open.push(row);
            }
        }
        named(conn, open)
    })
    .await
}

/// The clerk marks a reminder of its village read (the first reading counts).
///
/// # Errors
/// 403 another role; 404 no such reminder for the clerk's village.
pub async fn read(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    app.authorize(actor, "reminders.read", None, actor.require_role(&[Role::Clerk])).await?;
    let village = actor.scope.region().map(|r| r.to_string());
    let reader = actor.subject.clone();
    app.write(move |conn| {
        let found = store::find(conn, id)?.filter(|r| Some(&r.region_code) == village.as_ref());
        if found.is_none() {
            return Err(Problem::not_found("reminder_not_found", format!("催报 {id} 不存在")));
        }
        store::mark_read(conn, id, &reader, chrono::Utc::now().naive_utc())?;
        Ok(())
    })
    .await
}

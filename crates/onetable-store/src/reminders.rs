//! Reminders (催报) sent to villages about a period's form, who read them, and the chat group
//! robots of townships and counties they are also posted to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{reminder_hooks, reminders};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reminders)]
pub struct ReminderRow {
    pub id: i64,
    pub region_code: String,
    pub period: String,
    pub message: String,
    pub sent_by: String,
    pub sent_at: NaiveDateTime,
    pub read_by: Option<String>,
    pub read_at: Option<NaiveDateTime>,
    pub delivery: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reminders)]
pub struct NewReminder {
    pub region_code: String,
    pub period: String,
    pub message: String,
    pub sent_by: String,
    pub sent_at: NaiveDateTime,
}

/// Stores one send's reminders (all of one sender and time) in one statement; answers them with
/// their ids.
///
/// # Errors
/// On a database error.
pub fn insert(conn: &mut DbConn, rows: &[NewReminder]) -> StoreResult<Vec<ReminderRow>> {
    let Some(first) = rows.first() else { return Ok(Vec::new()) };
    // MultiConnection has no batch insert: each backend's own, in chunks under its parameter limit.
    for chunk in rows.chunks(crate::cells::CHUNK / 5) {
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(reminders::table).values(chunk).execute(c)?,
            DbConn::Postgres(c) => diesel::insert_into(reminders::table).values(chunk).execute(c)?,
        };
    }
    let villages: Vec<&str> = rows.iter().map(|r| r.region_code.as_str()).collect();
    Ok(reminders::table
        .filter(reminders::sent_by.eq(&first.sent_by))
        .filter(reminders::sent_at.eq(first.sent_at))
        .filter(reminders::region_code.eq_any(villages))
        .order(reminders::id)
        .select(ReminderRow::as_select())
        .load(conn)?)
}

/// How many reminders each of `villages` got since `since`.
///
/// # Errors
/// On a database error.
pub fn counts_since(conn: &mut DbConn, villages: &[String], since: NaiveDateTime) -> StoreResult<Vec<(String, i64)>> {
    Ok(reminders::table
        .filter(reminders::region_code.eq_any(villages))
        .filter(reminders::sent_at.ge(since))
        .group_by(reminders::region_code)
        .select((reminders::region_code, diesel::dsl::count_star()))
        .load(conn)?)
}

/// The reminders of villages inside `[low, high]` (of `period`, if given), newest first.
///
/// # Errors
/// On a database error.
pub fn within(
    conn: &mut DbConn,
    low: &str,
    high: &str,
    period: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<ReminderRow>> {
    let mut q =
        reminders::table.filter(reminders::region_code.ge(low)).filter(reminders::region_code.le(high)).into_boxed();
    if let Some(period) = period {
        q = q.filter(reminders::period.eq(period.to_owned()));
    }
    Ok(q.order((reminders::sent_at.desc(), reminders::id.desc()))
        .limit(limit)
        .select(ReminderRow::as_select())
        .load(conn)?)
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<ReminderRow>> {
    Ok(reminders::table.find(id).select(ReminderRow::as_select()).first(conn).optional()?)
}

/// Marks a reminder read, the first time only.
///
/// # Errors
/// On a database error.
pub fn mark_read(conn: &mut DbConn, id: i64, by: &str, at: NaiveDateTime) -> StoreResult<()> {
    diesel::update(reminders::table.find(id).filter(reminders::read_at.is_null()))
        .set((reminders::read_by.eq(by), reminders::read_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

/// Records what the chat robot answered for these reminders.
///
/// # Errors
/// On a database error.
pub fn set_delivery(conn: &mut DbConn, ids: &[i64], outcome: &str) -> StoreResult<()> {
    diesel::update(reminders::table.filter(reminders::id.eq_any(ids)))
        .set(reminders::delivery.eq(outcome))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = reminder_hooks)]
pub struct HookRow {
    pub region_code: String,
    /// `dingtalk` or `wecom`.
    pub kind: String,
    pub url: String,
    pub set_by: String,
    pub set_at: NaiveDateTime,
    /// A DingTalk robot's 加签 secret: each post is signed with it.
    pub secret: Option<String>,
}

/// The hooks set at any of `regions`.
///
/// # Errors
/// On a database error.
pub fn hooks_at(conn: &mut DbConn, regions: &[String]) -> StoreResult<Vec<HookRow>> {
    Ok(reminder_hooks::table
        .filter(reminder_hooks::region_code.eq_any(regions))
        .select(HookRow::as_select())
        .load(conn)?)
}

/// Sets (or replaces) a region's hook.
///
/// # Errors
/// On a database error.
pub fn put_hook(conn: &mut DbConn, row: &HookRow) -> StoreResult<()> {
    diesel::delete(reminder_hooks::table.find(&row.region_code)).execute(conn)?;
    diesel::insert_into(reminder_hooks::table).values(row).execute(conn)?;
    Ok(())
}

/// Removes a region's hook; answers whether there was one.
///
/// # Errors
/// On a database error.
pub fn remove_hook(conn: &mut DbConn, region: &str) -> StoreResult<bool> {
    Ok(diesel::delete(reminder_hooks::table.find(region)).execute(conn)? > 0)
}

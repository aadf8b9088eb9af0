//! A village's records (台账记录), kept by its clerk: add, change (If-Match revision), close —
//! never delete — and the history of each. Every write recomputes the counts the register feeds
//! in the same transaction. Reviewers read; the full values of one record are shown only to the
//! village's clerk or reviewer who asks, with a reason, audited.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use onetable_core::register::record::check_values;
use onetable_core::register::RegisterDef;
use onetable_core::RegionCode;
use onetable_store::registers::records::{self as store, NewRecord, NewRecordEvent, RecordChange, RecordRow};
use onetable_store::DbConn;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::record_view::{record, values_of, Elsewhere, Record, RecordEvent};
use super::record_write::{changes, key_taken, refused, store as seal};
use super::sealing::DataKeys;
use super::{derived, load, RECORD_KEEPERS, RECORD_READERS};
use crate::actor::Actor;
use crate::entries::require_village;
use crate::problem::{AppResult, Problem};
use crate::App;

/// A record as the clerk writes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// Column code → value (`null` clears one).
    #[schema(value_type = Object, example = json!({"head_name": "张三", "id_number": "11010519491231002X", "members": 3}))]
    #[serde(default)]
    pub values: BTreeMap<String, serde_json::Value>,
    /// 村民小组 / 网格 (none: the village as a whole).
    pub group: Option<String>,
    /// When it came on the list (none: before the village kept the list here).
    pub opened_on: Option<NaiveDate>,
    /// Why (kept in the record's history).
    pub reason: Option<String>,
}

/// Where a record is.
#[derive(Debug, Clone)]
pub struct RecordRef {
    pub register: String,
    pub id: i64,
}

/// Checks the actor's role and that `village` is in its scope (reading outside: 404).
pub(super) async fn authorize(
    app: &App,
    actor: &Actor,
    action: &str,
    village: RegionCode,
    write: bool,
) -> AppResult<()> {
    let roles: &[onetable_core::Role] = if write { &RECORD_KEEPERS } else { &RECORD_READERS };
    let target = Some(village.to_string());
    app.authorize(actor, action, target.clone(), actor.require_role(roles)).await?;
    let scope = if write { actor.require_write(village) } else { actor.require_read(village) };
    app.authorize(actor, action, target, scope).await
}

/// Whether the actor keeps this village's records — asked before an upload is read.
///
/// # Errors
/// 403 (audited).
pub async fn may_keep(app: &App, actor: &Actor, village: RegionCode) -> AppResult<()> {
    authorize(app, actor, "registers.imports", village, true).await
}

fn raw_values(input: &RecordInput) -> Result<BTreeMap<String, onetable_core::value::RawCell>, Problem> {
    let mut error = Problem::unprocessable("validation_failed", "记录中有不符合要求的值，未保存，请按提示修改");
    let mut out = BTreeMap::new();
    for (code, value) in &input.values {
        match crate::input::raw_cell(value) {
            Some(cell) => {
                out.insert(code.clone(), cell);
            }
            None => error = error.with_detail(Some(code), "invalid_value", format!("{code} 的值应为数字、是/否或文本")),
        }
    }
    if let Some(group) = &input.group {
        if let Err(p) = onetable_core::text::check_text(group, 40) {
            error = error.with_detail(Some("group"), p.code(), format!("村民小组：{p}"));
        }
    }
    if let Some(reason) = &input.reason {
        if let Err(p) = onetable_core::text::check_text(reason, 500) {
            error = error.with_detail(Some("reason"), p.code(), format!("原因：{p}"));
        }
    }
    if error.has_details() {
        Err(error)
    } else {
        Ok(out)
    }
}

/// 412: somebody changed the record since the caller read it.
pub(super) fn stale(current: i64) -> Problem {
    Problem::stale(
        "stale_revision",
        format!("该记录已被他人修改（当前版本 {current}），请刷新后重试；本次修改未保存"),
        current,
    )
}

pub(super) fn today() -> NaiveDate {
    crate::time::china_today()
}

/// The same person listed, open, in other villages' records of this register.
fn elsewhere(conn: &mut DbConn, row: &RecordRow) -> Result<Vec<Elsewhere>, Problem> {
    let Some(person) = &row.person_hash else { return Ok(Vec::new()) };
    let others =
        store::same_persons_elsewhere(conn, &row.register_code, &row.region_code, std::slice::from_ref(person))?;
    let codes: Vec<String> = others.iter().map(|r| r.region_code.clone()).collect();
    let names = crate::regions::names::names(conn, codes.iter().map(String::as_str))?;
    Ok(others
        .into_iter()
        .map(|r| Elsewhere {
            village_name: names.get(&r.region_code).cloned().unwrap_or_default(),
            village: r.region_code,
            record: r.id,
        })
        .collect())
}

/// The clerk adds a record to the village's register.
///
/// # Errors
/// 403/404, 422 a refused value (nothing stored), 409 the key already listed in the village.
pub async fn create(
    app: &App,
    actor: &Actor,
    register: String,
    village: RegionCode,
    input: RecordInput,
) -> AppResult<Record> {
    authorize(app, actor, "registers.records.create", village, true).await?;
    let raw = raw_values(&input)?;
    let keys = app.data_keys()?;
    let subject = actor.subject.clone();
    let mut event = actor.event("registers.records.create", Some(format!("{register}/{village}")), "success");
    let created = app
        .write(move |conn| {
            require_village(conn, village)?;
            let def = load(conn, &register)?;
            let checked = check_values(&def, &raw, true, today()).map_err(|p| refused(p, None))?;
            let values: BTreeMap<String, String> = checked.into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
            let row = insert(conn, &def, &village.to_string(), &values, &input, &keys, &subject)?;
            event.target = Some(format!("{register}/{}", row.id));
            onetable_store::audit::record(conn, &event)?;
            derived::refresh(conn, &register, &village.to_string(), today(), &subject, row.updated_at)?;
            let listed_elsewhere = elsewhere(conn, &row)?;
            Ok(super::record_view::Record { listed_elsewhere, ..record(&def, row, &keys, false)? })
        })
        .await?;
    Ok(created)
}

/// Stores a new record and its first history entry (shared with the import).
///
/// # Errors
/// 409 the key listed, open, in the village; on a database error.
pub fn insert(
    conn: &mut DbConn,
    def: &RegisterDef,
    village: &str,
    values: &BTreeMap<String, String>,
    input: &RecordInput,
    keys: &DataKeys,
    actor: &str,
) -> Result<RecordRow, Problem> {
    let now = chrono::Utc::now().naive_utc();
    let new = new_record(def, village, values, input, keys, actor, now)?;
    if let Some(same) = store::with_key(conn, &def.code, village, &new.key_hash)?
        .into_iter()
        .find(|r| r.region_code == village && r.closed_on.is_none())
    {
        return Err(key_taken(def, same.id));
    }
    let row = store::insert(conn, &new)?;
    store::record_event(
        conn,
        &NewRecordEvent {
            record_id: row.id,
            revision: 1,
            action: "create",
            actor,
            reason: input.reason.as_deref(),
            changes: &changes(def, &BTreeMap::new(), values),
            at: now,
        },
    )?;
    Ok(row)
}

/// A new record's row: its values sealed and hashed, revision 1.
///
/// # Errors
/// 500 when sealing fails.
pub fn new_record(
    def: &RegisterDef,
    village: &str,
    values: &BTreeMap<String, String>,
    input: &RecordInput,
    keys: &DataKeys,
    actor: &str,
    now: chrono::NaiveDateTime,
) -> Result<NewRecord, Problem> {
    let stored = seal(def, values, keys)?;
    Ok(NewRecord {
        register_code: def.code.clone(),
        region_code: village.to_owned(),
        group_name: input.group.as_deref().map(str::trim).filter(|g| !g.is_empty()).map(str::to_owned),
        key_hash: stored.key_hash,
        person_hash: stored.person_hash,
        plain: stored.plain,
        sealed: stored.sealed,
        opened_on: input.opened_on,
        closed_on: None,
        close_reason: None,
        revision: 1,
        created_by: actor.to_owned(),
        created_at: now,
        updated_by: actor.to_owned(),
        updated_at: now,
    })
}

/// Loads a record of `register` and checks the actor may act on its village: a role that may
/// not is 403; a village outside the scope is 404 to a reader (it learns nothing), 403 to a writer.
pub(super) async fn located(
    app: &App,
    actor: &Actor,
    at: &RecordRef,
    action: &str,
    write: bool,
) -> AppResult<RecordRow> {
    let roles: &[onetable_core::Role] = if write { &RECORD_KEEPERS } else { &RECORD_READERS };
    let target = Some(format!("{}/{}", at.register, at.id));
    app.authorize(actor, action, target.clone(), actor.require_role(roles)).await?;
    let (register, id) = (at.register.clone(), at.id);
    let row = app
        .run(move |conn| {
            store::find(conn, id)?.filter(|r| r.register_code == register).ok_or_else(|| record_not_found(id))
        })
        .await?;
    let village = crate::input::region_code(&row.region_code, "village")?;
    let scope = match (actor.reaches(village), write) {
        (true, _) => Ok(()),
        (false, true) => actor.require_write(village),
        (false, false) => Err(record_not_found(id)),
    };
    app.authorize(actor, action, target, scope).await?;
    Ok(row)
}

fn record_not_found(id: i64) -> Problem {
    Problem::not_found("record_not_found", format!("记录 {id} 不存在"))
}

/// One record (masked) with the places the same person is listed elsewhere.
///
/// # Errors
/// 403 a role that reads no records, 404 unknown or outside the scope.
pub async fn get(app: &App, actor: &Actor, at: RecordRef) -> AppResult<Record> {
    let row = located(app, actor, &at, "registers.records.read", false).await?;
    let keys = app.data_keys()?;
    app.run(move |conn| {
        let def = load(conn, &row.register_code)?;
        let listed_elsewhere = elsewhere(conn, &row)?;
        Ok(Record { listed_elsewhere, ..record(&def, row, &keys, false)? })
    })
    .await
}

/// A record's history, oldest first.
///
/// # Errors
/// As [`get`].
pub async fn history(app: &App, actor: &Actor, at: RecordRef) -> AppResult<Vec<RecordEvent>> {
    let row = located(app, actor, &at, "registers.records.read", false).await?;
    app.run(move |conn| Ok(store::events(conn, row.id)?.into_iter().map(RecordEvent::from).collect())).await
}

/// The record as it is now, with its register, if it is still at `revision` and open.
///
/// # Errors
/// 404 gone, 412 stale, 409 closed.
pub(super) fn open_at(conn: &mut DbConn, row: &RecordRow, revision: i64) -> Result<(RegisterDef, RecordRow), Problem> {
    let def = load(conn, &row.register_code)?;
    let current = store::find(conn, row.id)?.ok_or_else(|| record_not_found(row.id))?;
    if current.revision != revision {
        return Err(stale(current.revision));
    }
    if current.closed_on.is_some() {
        return Err(Problem::conflict("record_closed", format!("记录 {} 已注销，不能再修改", row.id)));
    }
    Ok((def, current))
}

/// The clerk changes some values (and the group, the day it came on the list).
///
/// # Errors
/// 428/400 no or a bad revision, 412 stale, 409 closed or a key taken, 422 a refused value.
pub async fn edit(
    app: &App,
    actor: &Actor,
    at: RecordRef,
    if_match: Option<&str>,
    input: RecordInput,
) -> AppResult<Record> {
    let row = located(app, actor, &at, "registers.records.edit", true).await?;
    let revision = crate::entries::access::revision(if_match)?;
    let raw = raw_values(&input)?;
    let keys = app.data_keys()?;
    let subject = actor.subject.clone();
    let event = actor.event("registers.records.edit", Some(format!("{}/{}", at.register, at.id)), "success");
    app.write(move |conn| {
        let (def, current) = open_at(conn, &row, revision)?;
        let checked = check_values(&def, &raw, false, today()).map_err(|p| refused(p, None))?;
        let old = values_of(&current, &keys)?;
        let mut new = old.clone();
        for (code, value) in checked {
            match value {
                Some(v) => new.insert(code, v),
                None => new.remove(&code),
            };
        }
        let stored = seal(&def, &new, &keys)?;
        if stored.key_hash != current.key_hash {
            let taken = store::with_key(conn, &def.code, &current.region_code, &stored.key_hash)?
                .into_iter()
                .find(|r| r.region_code == current.region_code && r.closed_on.is_none() && r.id != current.id);
            if let Some(same) = taken {
                return Err(key_taken(&def, same.id));
            }
        }
        let now = chrono::Utc::now().naive_utc();
        let group = match &input.group {
            Some(g) => Some(g.trim().to_owned()).filter(|g| !g.is_empty()),
            None => current.group_name.clone(),
        };
        let change = RecordChange {
            group_name: group,
            key_hash: stored.key_hash,
            person_hash: stored.person_hash,
            plain: stored.plain,
            sealed: stored.sealed,
            opened_on: input.opened_on.or(current.opened_on),
            closed_on: None,
            close_reason: None,
            revision: revision + 1,
            updated_by: subject.clone(),
            updated_at: now,
        };
        let updated = store::update(conn, row.id, revision, &change)?.ok_or_else(|| stale(revision + 1))?;
        store::record_event(
            conn,
            &NewRecordEvent {
                record_id: row.id,
                revision: revision + 1,
                action: "edit",
                actor: &subject,
                reason: input.reason.as_deref(),
                changes: &changes(&def, &old, &new),
                at: now,
            },
        )?;
        onetable_store::audit::record(conn, &event)?;
        derived::refresh(conn, &def.code, &updated.region_code, today(), &subject, now)?;
        let listed_elsewhere = elsewhere(conn, &updated)?;
        Ok(Record { listed_elsewhere, ..record(&def, updated, &keys, false)? })
    })
    .await
}

/// The village's clerk or a reviewer over it sees one record in full, saying why: audited, and
/// kept in the record's history (who looked, when, why) for the village to see.
///
/// # Errors
/// 403 any other role, 404 outside the scope, 422 without a reason.
pub async fn reveal(app: &App, actor: &Actor, at: RecordRef, reason: String) -> AppResult<Record> {
    let row = located(app, actor, &at, "registers.records.reveal", false).await?;
    if reason.trim().is_empty() || onetable_core::text::check_text(&reason, 200).is_err() {
        return Err(Problem::unprocessable("validation_failed", "查看完整信息须说明原因").with_detail(
            Some("reason"),
            "required",
            "请填写查看原因（不超过 200 字）",
        ));
    }
    let keys = app.data_keys()?;
    let subject = actor.subject.clone();
    let mut event = actor.event("registers.records.reveal", Some(format!("{}/{}", at.register, at.id)), "success");
    event.detail = Some(reason.trim().to_owned());
    app.write(move |conn| {
        let def = load(conn, &row.register_code)?;
        store::record_event(
            conn,
            &NewRecordEvent {
                record_id: row.id,
                revision: row.revision,
                action: "reveal",
                actor: &subject,
                reason: Some(reason.trim()),
                changes: "[]",
                at: chrono::Utc::now().naive_utc(),
            },
        )?;
        onetable_store::audit::record(conn, &event)?;
        record(&def, row, &keys, true)
    })
    .await
}

//! A person's own data (个人信息保护法 §45): on the person's request, the village's clerk exports
//! everything a register holds about them — every value in full and the record's history — as a
//! file to hand over. Audited, and kept in the record's history.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use onetable_store::registers::records::{self as store, NewRecordEvent};
use serde::Serialize;
use utoipa::ToSchema;

use super::record_view::{values_of, RecordEvent};
use super::records::{located, RecordRef};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

/// One column's value, by its name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedValue {
    pub column: String,
    pub name: String,
    pub value: String,
}

/// What a register holds about one person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonExport {
    pub register: String,
    pub register_name: String,
    pub record: i64,
    pub village: String,
    pub group: Option<String>,
    pub opened_on: Option<chrono::NaiveDate>,
    pub closed_on: Option<chrono::NaiveDate>,
    pub close_reason: Option<String>,
    pub values: Vec<NamedValue>,
    pub history: Vec<RecordEvent>,
    #[serde(serialize_with = "crate::time::utc")]
    pub exported_at: NaiveDateTime,
    pub exported_by: String,
}

/// The village's clerk exports one record for the person it describes, saying why.
///
/// # Errors
/// 403 other roles or another village, 404 unknown, 422 without a reason.
pub async fn export(app: &App, actor: &Actor, at: RecordRef, reason: String) -> AppResult<PersonExport> {
    let row = located(app, actor, &at, "registers.records.export", true).await?;
    if reason.trim().is_empty() || onetable_core::text::check_text(&reason, 200).is_err() {
        return Err(Problem::unprocessable("validation_failed", "导出个人信息须说明原因").with_detail(
            Some("reason"),
            "required",
            "请填写原因（如 本人申请查阅），不超过 200 字",
        ));
    }
    let keys = app.data_keys()?;
    let subject = actor.subject.clone();
    let mut event = actor.event("registers.records.export", Some(format!("{}/{}", at.register, at.id)), "success");
    event.detail = Some(reason.trim().to_owned());
    app.write(move |conn| {
        let def = super::load(conn, &row.register_code)?;
        let now = chrono::Utc::now().naive_utc();
        store::record_event(
            conn,
            &NewRecordEvent {
                record_id: row.id,
                revision: row.revision,
                action: "export",
                actor: &subject,
                reason: Some(reason.trim()),
                changes: "[]",
                at: now,
            },
        )?;
        onetable_store::audit::record(conn, &event)?;
        let values: BTreeMap<String, String> = values_of(&row, &keys)?;
        let history = store::events(conn, row.id)?.into_iter().map(RecordEvent::from).collect();
        Ok(PersonExport {
            values: def
                .columns
                .iter()
                .filter_map(|c| {
                    Some(NamedValue {
                        column: c.code.clone(),
                        name: c.name.clone(),
                        value: values.get(&c.code)?.clone(),
                    })
                })
                .collect(),
            register: def.code,
            register_name: def.name,
            record: row.id,
            village: row.region_code,
            group: row.group_name,
            opened_on: row.opened_on,
            closed_on: row.closed_on,
            close_reason: row.close_reason,
            history,
            exported_at: now,
            exported_by: subject,
        })
    })
    .await
}

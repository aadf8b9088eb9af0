//! Register types in the registry (台账类型): admins define them (versioned, through the same
//! duplicate guard as indicators); everyone signed in reads them, with the indicators each feeds.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use onetable_core::register::{ColumnDef, RegisterDef, RegisterUnit};
use onetable_core::similarity;
use onetable_store::registers::{self as store, RegisterRow};
use onetable_store::DbConn;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{def_of, register_not_found};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::registry::manage::WRITERS;
use crate::App;

/// A register type as an admin writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    #[schema(example = "REG.DIBAO")]
    pub code: String,
    #[schema(example = "低保户台账")]
    pub name: String,
    /// `household` or `person`.
    #[schema(value_type = String, example = "household")]
    pub unit: RegisterUnit,
    #[serde(default)]
    pub description: String,
    /// `[{code, name, type, personal, required, min, max, options, aliases}]`; `type` is `text`,
    /// `integer`, `decimal`, `boolean`, `enum`, `date`, `id_number` or `phone`; `personal` is
    /// `false`, `true` or `"sensitive"`.
    #[schema(value_type = Vec<Object>)]
    pub columns: Vec<ColumnDef>,
    /// The columns that identify a record within a village.
    #[schema(example = json!(["id_number"]))]
    pub key: Vec<String>,
    pub change_note: Option<String>,
}

/// An indicator whose value a register aggregate derives.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Feed {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub frequency: String,
    #[schema(example = "count(REG.DIBAO)")]
    pub formula: String,
}

/// One version of a register type.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Register {
    pub code: String,
    pub version: i32,
    pub name: String,
    /// `household` or `person`.
    pub unit: String,
    pub description: String,
    #[schema(value_type = Vec<Object>)]
    pub columns: Vec<ColumnDef>,
    pub key: Vec<String>,
    pub status: String,
    pub created_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    pub created_at: NaiveDateTime,
    /// Why this version was written.
    pub change_note: Option<String>,
    /// The indicators it feeds (their values derived from it live).
    pub feeds: Vec<Feed>,
}

impl Register {
    pub(crate) fn new(row: RegisterRow, feeds: Vec<Feed>) -> Result<Self, Problem> {
        let def = def_of(&row)?;
        Ok(Self {
            code: row.code,
            version: row.version,
            name: row.name,
            unit: row.unit,
            description: def.description,
            columns: def.columns,
            key: def.key,
            status: row.status,
            created_by: row.created_by,
            created_at: row.created_at,
            change_note: row.change_note,
            feeds,
        })
    }
}

/// The indicators reading each register.
///
/// # Errors
/// On a database error.
pub fn feeds(conn: &mut DbConn) -> Result<BTreeMap<String, Vec<Feed>>, Problem> {
    let mut out: BTreeMap<String, Vec<Feed>> = BTreeMap::new();
    for row in onetable_store::registry::current(conn)?.into_values() {
        let Some(text) = row.register_aggregate.filter(|_| row.status == "active") else { continue };
        let Ok(aggregate) = onetable_core::register::aggregate::parse(&text) else { continue };
        out.entry(aggregate.register).or_default().push(Feed {
            code: row.code,
            name: row.name,
            unit: row.unit,
            frequency: row.frequency,
            formula: text,
        });
    }
    Ok(out)
}

/// Checks a definition against the registry and stores it as version 1 — the shared rule of the
/// API and of loading the reference registers.
///
/// # Errors
/// 422 an invalid definition, 409 a code taken (by a register or an indicator) or a name an
/// active register already has.
pub fn create(
    conn: &mut DbConn,
    def: &RegisterDef,
    by: &str,
    at: NaiveDateTime,
    note: Option<String>,
) -> Result<RegisterRow, Problem> {
    check_definition(def)?;
    let existing = store::current(conn)?;
    if existing.contains_key(&def.code) {
        return Err(Problem::conflict("register_exists", format!("台账 {} 已存在", def.code)));
    }
    if onetable_store::registry::current(conn)?.contains_key(&def.code) {
        return Err(Problem::conflict("code_taken", format!("代码 {} 已是一个指标的代码，台账不能再用", def.code))
            .with_detail(Some("code"), "code_taken", def.code.clone()));
    }
    check_name(def, &existing)?;
    let row = row_of(def, 1, by, at, note);
    store::insert(conn, &row)?;
    Ok(row)
}

/// 422 naming each problem of the definition on its own.
///
/// # Errors
/// When it has any.
pub(crate) fn check_definition(def: &RegisterDef) -> Result<(), Problem> {
    let problems = def.problems();
    if problems.is_empty() {
        return Ok(());
    }
    let mut error = Problem::unprocessable("validation_failed", "台账定义不符合要求，请按提示修改");
    for (field, code, message) in problems {
        error = error.with_detail(Some(&field), code, message);
    }
    Err(error)
}

/// 409 when another active register has the same name (normalised): the duplicate guard.
///
/// # Errors
/// On such a register.
pub(crate) fn check_name(def: &RegisterDef, existing: &BTreeMap<String, RegisterRow>) -> Result<(), Problem> {
    let normalized = similarity::normalize(&def.name);
    match existing.values().find(|r| r.code != def.code && r.status == "active" && r.normalized_name == normalized) {
        Some(same) => Err(Problem::conflict(
            "duplicate_register",
            format!("已有同名台账 {}（{}），请勿重复建立", same.code, same.name),
        )
        .with_detail(Some("name"), "duplicate", same.code.clone())),
        None => Ok(()),
    }
}

/// The stored row of `def` as version `version`.
pub(crate) fn row_of(
    def: &RegisterDef,
    version: i32,
    by: &str,
    at: NaiveDateTime,
    note: Option<String>,
) -> RegisterRow {
    let definition = serde_json::json!({"description": def.description, "columns": def.columns, "key": def.key});
    RegisterRow {
        code: def.code.clone(),
        version,
        name: def.name.trim().to_owned(),
        normalized_name: similarity::normalize(&def.name),
        unit: def.unit.as_ref().to_owned(),
        definition: definition.to_string(),
        status: "active".into(),
        created_by: by.to_owned(),
        created_at: at,
        change_note: note,
    }
}

/// An admin defines a register type.
///
/// # Errors
/// 403 not an admin; as [`create`].
pub async fn create_register(app: &App, actor: &Actor, input: RegisterInput) -> AppResult<Register> {
    app.authorize(actor, "registers.create", Some(input.code.clone()), actor.require_role(&WRITERS)).await?;
    let def = RegisterDef {
        code: input.code.trim().to_owned(),
        name: input.name,
        unit: input.unit,
        description: input.description,
        columns: input.columns,
        key: input.key,
    };
    let (subject, note, code) = (actor.subject.clone(), input.change_note, def.code.clone());
    let now = chrono::Utc::now().naive_utc();
    let row = app.write(move |conn| create(conn, &def, &subject, now, note)).await?;
    app.audit(actor.event("registers.create", Some(code), "success")).await?;
    Register::new(row, Vec::new())
}

/// Every active register type, with the indicators each feeds.
///
/// # Errors
/// On a database error.
pub async fn list_registers(app: &App) -> AppResult<Vec<Register>> {
    app.run(|conn| {
        let mut feeds = feeds(conn)?;
        store::current(conn)?
            .into_values()
            .filter(|row| row.status == "active")
            .map(|row| {
                let feeds = feeds.remove(&row.code).unwrap_or_default();
                Register::new(row, feeds)
            })
            .collect()
    })
    .await
}

/// One register type, latest version.
///
/// # Errors
/// 404 when there is none.
pub async fn get_register(app: &App, code: String) -> AppResult<Register> {
    app.run(move |conn| {
        let row = store::current(conn)?.remove(&code).ok_or_else(|| register_not_found(&code))?;
        let feeds = feeds(conn)?.remove(&code).unwrap_or_default();
        Register::new(row, feeds)
    })
    .await
}

/// The reference registers the catalogue ships (民政/乡村振兴 lists), as JSON.
pub const SEED_REGISTERS: &str = include_str!("../../../../data/catalogue/registers.json");

/// Loads the reference registers not yet in the registry; answers how many were added.
///
/// # Errors
/// On a bad seed file or a database error.
pub fn load_seed(conn: &mut DbConn, by: &str, at: NaiveDateTime) -> Result<usize, Problem> {
    let defs: Vec<RegisterDef> = serde_json::from_str(SEED_REGISTERS).map_err(Problem::internal)?;
    let existing = store::current(conn)?;
    let mut added = 0;
    for def in defs.iter().filter(|d| !existing.contains_key(&d.code)) {
        create(conn, def, by, at, Some("参考台账".into()))?;
        added += 1;
    }
    Ok(added)
}

//! A register type changes (台账类型修订): a new version under the compatibility rules of
//! [`onetable_core::register::compat`]. A breaking change is refused once any village keeps a
//! record of it; a change that would leave an indicator's aggregate reading a column that is gone
//! (or now sealed) is refused always; raising a column's protection to sealed seals the values
//! already kept, in the same transaction.

use onetable_core::register::compat::{self, RegisterChange};
use onetable_core::register::RegisterDef;
use onetable_store::registers::{self as store, resealing};
use onetable_store::DbConn;
use serde::Serialize;
use utoipa::ToSchema;

use super::record_view::values_of;
use super::record_write;
use super::sealing::DataKeys;
use super::types::{check_definition, check_name, feeds, row_of, Register, RegisterInput};
use super::{def_of, register_not_found};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::registry::manage::WRITERS;
use crate::App;

/// What a change to a register type did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterRevision {
    /// The register type as it now is (its new version, or the unchanged one).
    pub register: Register,
    /// Every difference from the version before (empty: nothing changed, no version written).
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<RegisterChange>,
    /// Records whose values were sealed anew because a column became sensitive.
    pub resealed: usize,
}

/// Records resealed per page: bounded memory on a register of a whole county.
const PAGE: i64 = 1000;

/// An admin changes a register type.
///
/// # Errors
/// 403 not an admin, 404 unknown, 422 an invalid definition, 409 a breaking change over kept
/// records, an aggregate the change would break, or a name another register has.
pub async fn update_register(
    app: &App,
    actor: &Actor,
    code: String,
    input: RegisterInput,
) -> AppResult<RegisterRevision> {
    app.authorize(actor, "registers.update", Some(code.clone()), actor.require_role(&WRITERS)).await?;
    if input.code.trim() != code {
        return Err(Problem::unprocessable("validation_failed", "台账代码不能修改").with_detail(
            Some("code"),
            "invalid_value",
            format!("请求体中的代码 {} 与地址中的 {code} 不一致；要换代码请新建台账类型", input.code.trim()),
        ));
    }
    let def = RegisterDef {
        code: code.clone(),
        name: input.name,
        unit: input.unit,
        description: input.description,
        columns: input.columns,
        key: input.key,
    };
    let keys = app.data_keys()?;
    let (subject, note) = (actor.subject.clone(), input.change_note);
    let now = chrono::Utc::now().naive_utc();
    let revision = app.write(move |conn| revise(conn, &def, &keys, &subject, now, note)).await?;
    if !revision.changes.is_empty() {
        let mut event = actor.event("registers.update", Some(code), "success");
        event.detail = Some(format!("version {}", revision.register.version));
        app.audit(event).await?;
        app.forms.invalidate();
    }
    Ok(revision)
}

fn revise(
    conn: &mut DbConn,
    def: &RegisterDef,
    keys: &DataKeys,
    by: &str,
    at: chrono::NaiveDateTime,
    note: Option<String>,
) -> Result<RegisterRevision, Problem> {
    let existing = store::current(conn)?;
    let old_row =
        existing.get(&def.code).filter(|r| r.status == "active").ok_or_else(|| register_not_found(&def.code))?;
    let old = def_of(old_row)?;
    check_definition(def)?;
    let changes = compat::changes(&old, def);
    let mut fed = feeds(conn)?.remove(&def.code).unwrap_or_default();
    if changes.is_empty() {
        return Ok(RegisterRevision { register: Register::new(old_row.clone(), fed)?, changes, resealed: 0 });
    }
    let breaking: Vec<&RegisterChange> = changes.iter().filter(|c| c.breaking).collect();
    if !breaking.is_empty() && resealing::has_records(conn, &def.code)? {
        let mut error = Problem::conflict(
            "breaking_change",
            format!("台账 {} 已有记录，不能做不兼容的修改；如确需调整，请新建台账类型", def.code),
        );
        for change in breaking {
            error = error.with_detail(Some(&change.field), "breaking_change", change.message.clone());
        }
        return Err(error);
    }
    for feed in &fed {
        let parsed = onetable_core::register::aggregate::parse(&feed.formula).map_err(Problem::internal)?;
        if let Err(problems) = parsed.check(def) {
            return Err(Problem::conflict(
                "register_in_use",
                format!("指标 {}（{}）由本台账统计（{}），修改后无法计算", feed.code, feed.name, feed.formula),
            )
            .with_detail(Some("columns"), "register_in_use", problems.join("；")));
        }
    }
    check_name(def, &existing)?;
    let row = row_of(def, old_row.version + 1, by, at, note);
    store::insert(conn, &row).map_err(|e| concurrent(&def.code, e))?;
    let resealed = if newly_sealed(&old, def) { reseal_all(conn, def, keys)? } else { 0 };
    // The indicators it feeds are unchanged; they are shown with the new version.
    let register = Register::new(row, std::mem::take(&mut fed))?;
    Ok(RegisterRevision { register, changes, resealed })
}

/// Whether a column kept before is sealed now and was not.
fn newly_sealed(old: &RegisterDef, new: &RegisterDef) -> bool {
    new.columns.iter().any(|c| c.sealed() && old.column(&c.code).is_some_and(|o| !o.sealed()))
}

/// Seals, in every village's records, the values of columns that became sealed; page by page.
fn reseal_all(conn: &mut DbConn, def: &RegisterDef, keys: &DataKeys) -> Result<usize, Problem> {
    let (mut after, mut done) = (0, 0);
    loop {
        let rows = resealing::page(conn, &def.code, after, PAGE)?;
        let Some(last) = rows.last() else { return Ok(done) };
        after = last.id;
        for row in &rows {
            let values = values_of(row, keys)?;
            let stored = record_write::store(def, &values, keys)?;
            if stored.plain != row.plain {
                resealing::reseal(conn, row.id, &stored.plain, &stored.sealed)?;
                done += 1;
            }
        }
    }
}

fn concurrent(code: &str, e: onetable_store::StoreError) -> Problem {
    use onetable_store::diesel_error::{DatabaseErrorKind, Error};
    match e {
        onetable_store::StoreError::Query(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Problem::conflict("concurrent_change", format!("台账 {code} 正被同时修改，请刷新后重试"))
        }
        other => Problem::from(other),
    }
}

/// Every version of a register type, oldest first (the latest with the indicators it feeds).
///
/// # Errors
/// 404 when there is none.
pub async fn versions(app: &App, code: String) -> AppResult<Vec<Register>> {
    app.run(move |conn| {
        let rows = store::versions(conn, &code)?;
        if rows.is_empty() {
            return Err(register_not_found(&code));
        }
        let mut fed = feeds(conn)?.remove(&code).unwrap_or_default();
        let last = rows.len() - 1;
        rows.into_iter()
            .enumerate()
            .map(|(i, row)| Register::new(row, if i == last { std::mem::take(&mut fed) } else { Vec::new() }))
            .collect()
    })
    .await
}

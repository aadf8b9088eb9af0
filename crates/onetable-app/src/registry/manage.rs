//! Admins write the registry (维护指标库): create, change and retire indicators, create and change
//! rules. Every write goes through the registry's rules ([`super`]), is audited, and shows in the
//! form at once.

use onetable_core::indicator::IndicatorStatus;
use onetable_core::Role;
use onetable_store::registry::{self as store, RuleRow};

use super::inputs::{to_row, IndicatorInput, RuleInput};
use super::{create, update, validate_rule, Saved};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

/// Who writes the registry.
pub const WRITERS: [Role; 1] = [Role::Admin];

/// The 404 of an unknown indicator.
#[must_use]
pub fn indicator_not_found(code: &str) -> Problem {
    Problem::not_found("indicator_not_found", format!("指标 {code} 不存在"))
}

/// An admin creates an indicator (through the duplicate guard).
///
/// # Errors
/// 403 not an admin, 422 an invalid definition, 409 an existing code or a duplicate name.
pub async fn create_indicator(app: &App, actor: &Actor, input: IndicatorInput) -> AppResult<Saved> {
    let code = input.code.clone().unwrap_or_default();
    app.authorize(actor, "indicators.create", Some(code.clone()), actor.require_role(&WRITERS)).await?;
    let def = input.to_def(&code)?;
    let (subject, note) = (actor.subject.clone(), input.change_note.clone());
    let now = chrono::Utc::now().naive_utc();
    let saved = app.run(move |conn| create(conn, &def, &subject, now, note)).await?;
    app.audit(actor.event("indicators.create", Some(code), "success")).await?;
    app.forms.invalidate();
    Ok(saved)
}

/// An admin changes an indicator: a new version, under the compatibility rules.
///
/// # Errors
/// 403, 404, 422, 409 (a breaking change over stored data, a duplicate name).
pub async fn update_indicator(app: &App, actor: &Actor, code: String, input: IndicatorInput) -> AppResult<Saved> {
    app.authorize(actor, "indicators.update", Some(code.clone()), actor.require_role(&WRITERS)).await?;
    let mut def = input.to_def(&code)?;
    let keep_aliases = input.aliases.is_none();
    let (subject, note) = (actor.subject.clone(), input.change_note);
    let now = chrono::Utc::now().naive_utc();
    let saved = app
        .run(move |conn| {
            if keep_aliases {
                if let Some(current) = store::versions(conn, &def.code)?.last() {
                    def.aliases = current.alias_list();
                }
            }
            update(conn, &def, &subject, now, note)
        })
        .await?;
    if saved.written {
        let mut event = actor.event("indicators.update", Some(code), "success");
        event.detail = Some(format!("version {}", saved.row.version));
        app.audit(event).await?;
    }
    app.forms.invalidate();
    Ok(saved)
}

/// An admin retires an indicator: a new version with status `deprecated`. Its values stay
/// readable; new formulas may not reference it, and it leaves the form.
///
/// # Errors
/// 403, 404, 422 without a reason.
pub async fn deprecate_indicator(app: &App, actor: &Actor, code: String, reason: String) -> AppResult<Saved> {
    app.authorize(actor, "indicators.deprecate", Some(code.clone()), actor.require_role(&WRITERS)).await?;
    if reason.trim().is_empty() {
        return Err(Problem::unprocessable("validation_failed", "请说明停用原因").with_detail(
            Some("reason"),
            "required",
            "停用原因不能为空",
        ));
    }
    let (subject, target) = (actor.subject.clone(), code.clone());
    let now = chrono::Utc::now().naive_utc();
    let saved = app
        .run(move |conn| {
            let current = store::current(conn)?;
            let row = current.get(&target).ok_or_else(|| indicator_not_found(&target))?;
            let mut def = row.to_def().map_err(Problem::internal)?;
            def.status = IndicatorStatus::Deprecated;
            // A formula that reads deprecated codes is still valid for what it already computes.
            update(conn, &def, &subject, now, Some(reason))
        })
        .await?;
    app.audit(actor.event("indicators.deprecate", Some(code), "success")).await?;
    app.forms.invalidate();
    Ok(saved)
}

/// An admin creates (`creating`) or changes a validation rule; its expression is checked like a
/// formula and must be a condition.
///
/// # Errors
/// 403, 409 an existing code when creating, 404 an unknown one when changing, 422 a bad expression.
pub async fn save_rule(app: &App, actor: &Actor, code: String, input: RuleInput, creating: bool) -> AppResult<RuleRow> {
    let action = if creating { "rules.create" } else { "rules.update" };
    app.authorize(actor, action, Some(code.clone()), actor.require_role(&WRITERS)).await?;
    let spec = input.to_spec(&code);
    let subject = actor.subject.clone();
    let now = chrono::Utc::now().naive_utc();
    let row = app
        .run(move |conn| {
            let exists = store::find_rule(conn, &spec.code)?.is_some();
            if creating && exists {
                return Err(Problem::conflict("rule_exists", format!("校验规则 {} 已存在，修改请用 PUT", spec.code)));
            }
            if !creating && !exists {
                return Err(Problem::not_found("rule_not_found", format!("校验规则 {} 不存在", spec.code)));
            }
            validate_rule(&spec, &store::current(conn)?)?;
            let row = to_row(&spec, &subject, now);
            store::save_rule(conn, &row)?;
            Ok(row)
        })
        .await?;
    app.audit(actor.event(action, Some(code), "success")).await?;
    app.forms.invalidate();
    Ok(row)
}

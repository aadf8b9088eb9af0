//! Supply grants (数据供给): a department files one — "民政局 supplies SOC.DIBAO_HOUSEHOLDS for
//! 5223" — and an admin over the region approves, rejects or revokes it, as with data requests.
//! One supplier per indicator and region at a time: a second that overlaps is 409 naming the first.

use chrono::Utc;
use onetable_core::{RegionCode, Role};
use onetable_store::supplies::{self as store, SupplyRow};
use onetable_store::{registry, DbConn};

use super::{can_see, not_found, NewSupply, Supply, REFRESH};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::sharing::requests::Decision;
use crate::sharing::{list_scope, APPROVED, PENDING};
use crate::App;

/// A department files a supply grant for review.
///
/// # Errors
/// 403 for other roles, without a department or outside its jurisdiction; 422 for unknown or
/// derived indicators, a bad region or refresh; 409 when another supplier holds an indicator there.
pub async fn file(app: &App, actor: &Actor, body: NewSupply) -> AppResult<Supply> {
    app.authorize(actor, "supply.file", None, actor.require_role(&[Role::Department])).await?;
    let department =
        actor.department.clone().ok_or_else(|| Problem::forbidden("forbidden", "账号未归属任何部门，不能供给数据"))?;
    let region = RegionCode::parse(body.region.trim()).map_err(|e| {
        Problem::unprocessable("invalid_supply", "数据供给有误，请按提示修改").with_detail(
            Some("region"),
            "invalid_region_code",
            e.to_string(),
        )
    })?;
    app.authorize(actor, "supply.file", Some(region.to_string()), actor.require_write(region)).await?;
    let now = Utc::now().naive_utc();
    let requested_by = actor.subject.clone();
    let saved = app
        .write(move |conn| {
            let (indicators, registers) = check(conn, &body)?;
            let row = store::NewSupply {
                department,
                requested_by,
                region_code: region.to_string(),
                indicators: indicators.join(","),
                purpose: body.purpose.trim().to_owned(),
                source_system: body.source_system.trim().to_owned(),
                refresh: body.refresh.trim().to_owned(),
                status: PENDING.to_owned(),
                created_at: now,
                registers: (!registers.is_empty()).then(|| registers.join(",")),
            };
            let taken = store::with_status(conn, &[PENDING, APPROVED])?;
            let held: Vec<String> = indicators.iter().chain(&registers).cloned().collect();
            if let Some(error) = overlap(&row.region_code, &held, None, &taken) {
                return Err(error);
            }
            Ok(store::insert(conn, &row)?)
        })
        .await?;
    let mut event = actor.event("supply.file", Some(saved.id.to_string()), "success");
    event.detail = Some(saved.indicators.clone());
    app.audit(event).await?;
    Ok(saved.into())
}

/// 422 naming each problem of a filing; the indicator and register codes, deduplicated.
fn check(conn: &mut DbConn, body: &NewSupply) -> Result<(Vec<String>, Vec<String>), Problem> {
    let current = registry::current(conn)?;
    let mut error = Problem::unprocessable("invalid_supply", "数据供给有误，请按提示修改");
    if body.indicators.is_empty() && body.registers.is_empty() {
        error = error.with_detail(Some("indicators"), "required", "请至少选择一个指标或台账");
    }
    let kept = crate::registers::current(conn)?;
    let mut registers: Vec<String> = Vec::new();
    for (i, code) in body.registers.iter().enumerate() {
        match kept.get(code.trim()) {
            Some(def) if !registers.contains(&def.code) => registers.push(def.code.clone()),
            Some(_) => {}
            None => {
                error = error.with_detail(
                    Some(&format!("registers[{i}]")),
                    "unknown_register",
                    format!("未知台账「{code}」"),
                );
            }
        }
    }
    if body.indicators.len() > current.len().max(1) {
        return Err(error.with_detail(Some("indicators"), "too_many", "指标多于指标库中的指标"));
    }
    let mut codes: Vec<String> = Vec::new();
    for (i, code) in body.indicators.iter().enumerate() {
        let field = format!("indicators[{i}]");
        match current.get(code.trim()) {
            None => error = error.with_detail(Some(&field), "unknown_indicator", format!("未知指标「{code}」")),
            Some(row) if row.status != "active" => {
                error = error.with_detail(Some(&field), "deprecated_indicator", format!("指标 {} 已停用", row.code));
            }
            // A value computed here (a formula, a register's count) is not a department's to give.
            Some(row) if row.formula.is_some() || row.register_aggregate.is_some() => {
                error = error.with_detail(
                    Some(&field),
                    "derived_indicator",
                    format!("{}（{}）由平台计算，不能由部门供给", row.name, row.code),
                );
            }
            Some(row) if !codes.contains(&row.code) => codes.push(row.code.clone()),
            Some(_) => {}
        }
    }
    if body.purpose.trim().is_empty() {
        error = error.with_detail(Some("purpose"), "required", "请说明供给的用途");
    }
    if body.source_system.trim().is_empty() {
        error = error.with_detail(Some("source_system"), "required", "请写明数据来自哪个部门系统");
    }
    if !REFRESH.contains(&body.refresh.trim()) {
        error = error.with_detail(
            Some("refresh"),
            "invalid_value",
            format!("更新频率应为 {} 之一，收到“{}”", REFRESH.join("、"), body.refresh),
        );
    }
    if error.has_details() {
        return Err(error);
    }
    Ok((codes, registers))
}

/// The 409 of a supply that would share an indicator and region (one inside the other) with
/// another pending or approved one.
fn overlap(region: &str, indicators: &[String], except: Option<i64>, taken: &[SupplyRow]) -> Option<Problem> {
    let mine = RegionCode::parse(region).ok()?;
    for other in taken.iter().filter(|o| Some(o.id) != except) {
        let Ok(theirs) = RegionCode::parse(&other.region_code) else { continue };
        if !(mine.contains(theirs) || theirs.contains(mine)) {
            continue;
        }
        let shared: Vec<String> = other.held().into_iter().filter(|c| indicators.contains(c)).collect();
        if !shared.is_empty() {
            let state = if other.status == APPROVED { "已获批" } else { "正在审核" };
            return Some(
                Problem::conflict(
                    "supply_taken",
                    format!(
                        "{} 在 {} 已由{}供给（数据供给 {}，{state}）：同一指标同一地区只能有一个供给方",
                        shared.join("、"),
                        other.region_code,
                        other.department,
                        other.id
                    ),
                )
                .with_detail(Some("indicators"), "supply_taken", other.id.to_string()),
            );
        }
    }
    None
}

/// The supplies the actor sees: a department its own, an admin those over its scope.
///
/// # Errors
/// 403 for other roles.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<Supply>> {
    let scope = list_scope(actor).map_err(|_| Problem::forbidden("forbidden", "无权查看数据供给"))?;
    let rows = app.run(move |conn| Ok(store::list(conn, &scope)?)).await?;
    Ok(rows.into_iter().map(Supply::from).collect())
}

/// One supply the actor sees.
///
/// # Errors
/// 404 when it does not exist for the actor.
pub async fn visible(app: &App, actor: &Actor, id: i64) -> AppResult<SupplyRow> {
    let row = app.run(move |conn| Ok(store::find(conn, id)?)).await?.ok_or_else(|| not_found(id))?;
    if can_see(actor, &row) {
        Ok(row)
    } else {
        Err(not_found(id))
    }
}

/// An admin over the region decides a supply. Approving checks again that no other approved
/// supply holds an indicator there. Audited.
///
/// # Errors
/// 403 other roles or out of scope, 404 unseen, 422 rejecting or revoking without a reason, 409
/// a supply not in the state the decision needs, or taken meanwhile.
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    decision: Decision,
    reason: Option<String>,
) -> AppResult<Supply> {
    let (from, to, action) = decision.step("supply");
    let action = action.as_str();
    app.authorize(actor, action, Some(id.to_string()), actor.require_role(&[Role::Admin])).await?;
    let row = visible(app, actor, id).await?;
    let region = RegionCode::parse(&row.region_code).map_err(Problem::internal)?;
    app.authorize(actor, action, Some(id.to_string()), actor.require_write(region)).await?;
    let reason = decision.reason(reason)?;
    let by = actor.subject.clone();
    let now = Utc::now().naive_utc();
    let saved = app
        .write(move |conn| {
            if to == APPROVED {
                let approved = store::with_status(conn, &[APPROVED])?;
                if let Some(error) = overlap(&row.region_code, &row.held(), Some(row.id), &approved) {
                    return Err(error);
                }
            }
            if !store::decide(conn, id, from, to, &by, reason.as_deref(), now)? {
                return Err(Problem::conflict(
                    "invalid_state",
                    format!("数据供给 {id} 当前为 {}，不能执行此操作", row.status),
                ));
            }
            store::find(conn, id)?.ok_or_else(|| not_found(id))
        })
        .await?;
    app.audit(actor.event(action, Some(id.to_string()), "success")).await?;
    Ok(saved.into())
}

//! Supplying (供给数据): the department's system pushes values — `{region, period, indicator,
//! value, as_of}` rows — under an approved grant. All or nothing: a row outside the grant's
//! region or indicators is 403 naming the row, a bad value 422 naming row and column; then the
//! values are kept as the latest supplied and prefill the villages' forms ([`super::prefill`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use onetable_core::value::RawCell;
use onetable_core::{Period, RegionCode, RegionLevel, Role};
use onetable_store::supplies::{self as store, SuppliedValueRow, SupplyRow};
use onetable_store::DbConn;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::grants::visible;
use super::prefill::{self, Prefilled};
use crate::actor::Actor;
use crate::entries::form::FormCache;
use crate::entries::Form;
use crate::problem::{AppResult, Problem};
use crate::sharing::APPROVED;
use crate::App;

/// At most this many rows in one push (a province's villages × a dozen indicators).
pub const MAX_ROWS: usize = 200_000;

/// One supplied value.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppliedRow {
    /// The village (12 digits).
    #[schema(example = "522301100200")]
    pub region: String,
    #[schema(example = "2026-11")]
    pub period: String,
    #[schema(example = "POP.REGISTERED")]
    pub indicator: String,
    #[schema(value_type = crate::entries::view::CellValue, example = 1268)]
    pub value: serde_json::Value,
    /// The day the department's number holds for (截至).
    #[schema(value_type = String, example = "2026-11-30")]
    pub as_of: NaiveDate,
}

/// A push of values.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplyPush {
    pub rows: Vec<SuppliedRow>,
}

/// What a push did.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct PushReport {
    pub supply: i64,
    /// Rows received and kept as the latest supplied values.
    pub received: usize,
    #[serde(flatten)]
    pub prefilled: Prefilled,
}

/// The department pushes values under its approved supply.
///
/// # Errors
/// 403 another's supply, one not approved, or a row outside the grant; 404 unseen; 422 a bad row
/// (naming row and column); nothing is stored then.
pub async fn push(app: &App, actor: &Actor, id: i64, body: SupplyPush) -> AppResult<PushReport> {
    let supply = approved(app, actor, id).await?;
    store_rows(app, actor, supply, body.rows, 1).await
}

/// The actor's own approved supply `id`.
///
/// # Errors
/// 403 not a department, or the supply not approved; 404 unseen.
pub async fn approved(app: &App, actor: &Actor, id: i64) -> AppResult<SupplyRow> {
    app.authorize(actor, "supply.push", Some(id.to_string()), actor.require_role(&[Role::Department])).await?;
    let supply = visible(app, actor, id).await?;
    if supply.status != APPROVED {
        return Err(Problem::forbidden(
            "supply_not_approved",
            format!("数据供给 {id} 当前为 {}，获批后才能推送数据", supply.status),
        ));
    }
    Ok(supply)
}

/// Checks and stores pushed rows (all or nothing) and prefills the forms; `first_line` is the
/// line the first row came on (1 for JSON, 2 below a file's header), for the messages.
///
/// # Errors
/// As [`push`].
pub async fn store_rows(
    app: &App,
    actor: &Actor,
    supply: SupplyRow,
    input: Vec<SuppliedRow>,
    first_line: usize,
) -> AppResult<PushReport> {
    let id = supply.id;
    if input.len() > MAX_ROWS {
        return Err(Problem::unprocessable(
            "too_many_rows",
            format!("一次最多推送 {MAX_ROWS} 行，收到 {} 行", input.len()),
        )
        .with_detail(Some("rows"), "too_many", input.len().to_string()));
    }
    let forms = app.forms.clone();
    let subject = actor.subject.clone();
    let now = chrono::Utc::now().naive_utc();
    let (received, prefilled) = app
        .write(move |conn| {
            let rows = check_rows(conn, &forms, &supply, &input, now, first_line)?;
            // What this supply already gave, unchanged, is neither stored again nor applied again.
            let periods: Vec<String> =
                rows.iter().map(|r| r.period.clone()).collect::<BTreeSet<_>>().into_iter().collect();
            let kept = store::kept(conn, supply.id, &periods)?;
            let received = rows.len();
            let fresh: Vec<SuppliedValueRow> = rows
                .into_iter()
                .filter(|r| {
                    kept.get(&(r.region_code.clone(), r.indicator_code.clone(), r.period.clone()))
                        != Some(&(r.value.clone(), r.as_of))
                })
                .collect();
            store::upsert_values(conn, &fresh)?;
            let prefilled = prefill::apply(conn, &fresh, &supply.department, &subject, now)?;
            Ok((received, prefilled))
        })
        .await?;
    let mut event = actor.event("supply.push", Some(id.to_string()), "success");
    event.detail = Some(format!("{received} rows"));
    app.audit(event).await?;
    Ok(PushReport { supply: id, received, prefilled })
}

/// Every row checked against the grant (403 naming the rows outside it) and then against the
/// registry and the regions (422 naming row and column); the rows to keep.
fn check_rows(
    conn: &mut DbConn,
    forms: &FormCache,
    supply: &SupplyRow,
    input: &[SuppliedRow],
    now: NaiveDateTime,
    first_line: usize,
) -> Result<Vec<SuppliedValueRow>, Problem> {
    let today = crate::time::china_today();
    let granted = RegionCode::parse(&supply.region_code).map_err(Problem::internal)?;
    let indicators: BTreeSet<String> = supply.indicator_list().into_iter().collect();
    let mut outside = Problem::forbidden("outside_supply", "部分行超出本数据供给的地区或指标，全部未保存");
    let mut invalid = Problem::unprocessable("validation_failed", "部分行的值不符合要求，全部未保存，请按提示修改");
    let mut rows = Vec::with_capacity(input.len());
    let mut regions: BTreeMap<RegionCode, usize> = BTreeMap::new();
    let mut form_of: BTreeMap<Period, Arc<Form>> = BTreeMap::new();
    for (i, row) in input.iter().enumerate() {
        let at = |column: &str| format!("rows[{i}].{column}");
        let line = i + first_line;
        let region = match RegionCode::parse(row.region.trim()) {
            Ok(r) if r.level() == RegionLevel::Village => r,
            Ok(_) => {
                let message = format!("第 {line} 行：{} 不是村级区划", row.region);
                invalid = invalid.with_detail(Some(&at("region")), "not_a_village", message);
                continue;
            }
            Err(e) => {
                invalid = invalid.with_detail(Some(&at("region")), "invalid_region_code", format!("第 {line} 行：{e}"));
                continue;
            }
        };
        if !granted.contains(region) {
            let message = format!("第 {line} 行：{region} 不在本供给的地区 {granted} 内");
            outside = outside.with_detail(Some(&at("region")), "outside_supply", message);
            continue;
        }
        if !indicators.contains(row.indicator.trim()) {
            let message = format!("第 {line} 行：指标 {} 不在本供给中", row.indicator);
            outside = outside.with_detail(Some(&at("indicator")), "outside_supply", message);
            continue;
        }
        let period = match Period::parse(row.period.trim()) {
            Ok(p) => p,
            Err(e) => {
                invalid = invalid.with_detail(Some(&at("period")), "invalid_period", format!("第 {line} 行：{e}"));
                continue;
            }
        };
        if row.as_of > today {
            let message = format!("第 {line} 行：截至日期 {} 晚于今天", row.as_of);
            invalid = invalid.with_detail(Some(&at("as_of")), "future_date", message);
            continue;
        }
        let form = match form_of.get(&period) {
            Some(form) => form.clone(),
            None => {
                let form = forms.get(conn, period)?;
                form_of.insert(period, form.clone());
                form
            }
        };
        let Some(def) = form.entered.get(row.indicator.trim()) else {
            let message = format!("第 {line} 行：指标 {} 不在 {period} 期的报表中（填报频率不同）", row.indicator);
            invalid = invalid.with_detail(Some(&at("period")), "wrong_frequency", message);
            continue;
        };
        let checked = match crate::input::raw_cell(&row.value) {
            None | Some(RawCell::Null) => Err("值应为数字、文本或布尔值，不能为空".to_owned()),
            Some(raw) => onetable_core::value::check_cell(def, &raw),
        };
        match checked {
            Ok(Some(value)) => {
                regions.entry(region).or_insert(i);
                rows.push(SuppliedValueRow {
                    region_code: region.to_string(),
                    indicator_code: def.code.clone(),
                    period: period.to_string(),
                    supply_id: supply.id,
                    value,
                    as_of: row.as_of,
                    received_at: now,
                });
            }
            Ok(None) => {
                invalid = invalid.with_detail(Some(&at("value")), "required", format!("第 {line} 行：值不能为空"));
            }
            Err(message) => {
                invalid = invalid.with_detail(Some(&at("value")), "invalid_value", format!("第 {line} 行：{message}"));
            }
        }
    }
    if outside.has_details() {
        return Err(outside);
    }
    let codes: Vec<RegionCode> = regions.keys().copied().collect();
    let known: BTreeSet<String> =
        onetable_store::regions::find_many(conn, &codes)?.into_iter().map(|r| r.code).collect();
    for (region, first) in regions.iter().filter(|(r, _)| !known.contains(&r.to_string())) {
        let message = format!("第 {} 行：区划 {region} 不存在", first + first_line);
        invalid = invalid.with_detail(Some(&format!("rows[{first}].region")), "region_not_found", message);
    }
    if invalid.has_details() {
        return Err(invalid);
    }
    Ok(rows)
}

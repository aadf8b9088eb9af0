//! Records pulled under a data request (台账调取): only a department whose approved request names
//! the register, only the columns it names, masked unless full values were granted; every
//! village read is in its 谁用了我的数据 and every pull in the audit trail.

use std::collections::BTreeMap;

use chrono::Utc;
use onetable_core::register::mask;
use onetable_core::{RegionCode, Role};
use onetable_store::registers::records as record_store;
use onetable_store::sharing::{self as store, NewAccess};
use serde::Serialize;
use utoipa::ToSchema;

use super::pull::visible;
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::registers::record_view::values_of;
use crate::App;

/// A column of the pulled list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PulledColumn {
    pub code: String,
    pub name: String,
}

/// One record as the department receives it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PulledRecord {
    pub village: String,
    pub village_name: String,
    pub group: Option<String>,
    /// `open` or `closed`.
    pub status: String,
    pub closed_on: Option<chrono::NaiveDate>,
    /// The granted columns only, masked unless full values were granted.
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, String>,
}

/// The records a request's register grant reads.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordPull {
    pub request: i64,
    pub register: String,
    pub register_name: String,
    pub masked: bool,
    pub columns: Vec<PulledColumn>,
    pub records: Vec<PulledRecord>,
}

/// Access-log level of a register pull (beside `village`, `township`… of value pulls).
pub const RECORDS_LEVEL: &str = "records";

/// A department pulls the records of `register` under request `id`, within `within` (default:
/// the request's region).
///
/// # Errors
/// 403 another role, a request not active, a register or region not granted; 404 a request the
/// department does not see.
pub async fn pull_records(
    app: &App,
    actor: &Actor,
    id: i64,
    register: String,
    within: Option<String>,
) -> AppResult<RecordPull> {
    let action = "data_request.records";
    app.authorize(actor, action, Some(id.to_string()), actor.require_role(&[Role::Department])).await?;
    let request = visible(app, actor, id).await?;
    let region = RegionCode::parse(&request.region).map_err(Problem::internal)?;
    let decision = (|| {
        if !request.active {
            return Err(Problem::forbidden(
                "request_not_active",
                format!("数据需求 {id} 未批准或已失效，不能调取台账"),
            ));
        }
        let Some(ask) = request.registers.iter().find(|r| r.code == register) else {
            return Err(Problem::forbidden(
                "register_not_granted",
                format!("数据需求 {id} 未申请台账 {register}；部门只能看到汇总数"),
            ));
        };
        let within = match within.as_deref() {
            Some(text) => RegionCode::parse(text.trim())
                .map_err(|e| Problem::bad_request("invalid_region_code", e.to_string()))?,
            None => region,
        };
        if !region.contains(within) {
            return Err(Problem::forbidden("out_of_scope", format!("区划 {within} 不在数据需求 {id} 的范围内")));
        }
        Ok((ask.columns.clone(), within))
    })();
    let (columns, within) = match decision {
        Ok(granted) => granted,
        Err(e) => {
            let mut event = actor.event(action, Some(id.to_string()), "denied");
            event.detail = Some(e.code().to_owned());
            app.audit(event).await?;
            return Err(e);
        }
    };
    let keys = app.data_keys()?;
    let full = request.full_values;
    let code = register.clone();
    let pulled = app
        .run(move |conn| {
            let def = crate::registers::load(conn, &code)?;
            let (low, high) = (within.to_string(), within.descendant_upper_bound());
            let rows = record_store::within(conn, &code, &low, &high)?;
            let villages: Vec<String> = rows.iter().map(|r| r.region_code.clone()).collect();
            let names = crate::regions::names::names(conn, villages.iter().map(String::as_str))?;
            let mut records = Vec::with_capacity(rows.len());
            for row in &rows {
                let all = values_of(row, &keys)?;
                let values = columns
                    .iter()
                    .filter_map(|c| {
                        let column = def.column(c)?;
                        let value = all.get(c)?;
                        let shown = if full || !(column.personal.is_personal() || column.sealed()) {
                            value.clone()
                        } else {
                            mask(column, value)
                        };
                        Some((c.clone(), shown))
                    })
                    .collect();
                records.push(PulledRecord {
                    village: row.region_code.clone(),
                    village_name: names.get(&row.region_code).cloned().unwrap_or_default(),
                    group: row.group_name.clone(),
                    status: if row.closed_on.is_some() { "closed" } else { "open" }.into(),
                    closed_on: row.closed_on,
                    values,
                });
            }
            let shown_columns = columns
                .iter()
                .filter_map(|c| def.column(c).map(|col| PulledColumn { code: c.clone(), name: col.name.clone() }))
                .collect();
            Ok(RecordPull {
                request: id,
                register: code,
                register_name: def.name,
                masked: !full,
                columns: shown_columns,
                records,
            })
        })
        .await?;
    log(app, actor, &request, &pulled).await?;
    Ok(pulled)
}

/// One access-log row per village read (its 谁用了我的数据), one audit event for the pull.
async fn log(app: &App, actor: &Actor, request: &super::DataRequest, pulled: &RecordPull) -> AppResult<()> {
    let mut per_village: BTreeMap<&str, i64> = BTreeMap::new();
    for record in &pulled.records {
        *per_village.entry(record.village.as_str()).or_default() += 1;
    }
    let now = Utc::now().naive_utc();
    let what =
        format!("{}:{}", pulled.register, pulled.columns.iter().map(|c| c.code.as_str()).collect::<Vec<_>>().join(","));
    let rows: Vec<NewAccess> = per_village
        .into_iter()
        .map(|(village, count)| NewAccess {
            occurred_at: now,
            request_id: request.id,
            department: request.department.clone(),
            caller: actor.subject.clone(),
            region_code: village.to_owned(),
            level: RECORDS_LEVEL.to_owned(),
            period: crate::time::china_today().to_string(),
            indicators: what.clone(),
            row_count: count,
            format: if pulled.masked { "masked" } else { "full" }.to_owned(),
        })
        .collect();
    app.write(move |conn| {
        for row in &rows {
            store::log_access(conn, row)?;
        }
        Ok::<_, Problem>(())
    })
    .await?;
    let mut event = actor.event("data_request.records", Some(request.id.to_string()), "success");
    event.detail =
        Some(format!("{} rows={} {}", what, pulled.records.len(), if pulled.masked { "masked" } else { "full" }));
    app.audit(event).await
}

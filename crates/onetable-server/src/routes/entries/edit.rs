//! `PATCH /api/v1/entries/{region}/{period}` and `POST .../carry-forward`

use std::collections::BTreeMap;

use actix_web::{patch, post, web, HttpRequest, HttpResponse};
use onetable_core::value::RawCell;
use onetable_core::Role;
use onetable_store::entries as store;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{respond, view, with_form, write_target, Entry, PatchResult, WriteTarget};
use crate::auth::Caller;
use crate::entries::{check_cells, write_cells, Change};
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::routes::text::Reason;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryPatch {
    /// Indicator code → value (`null` clears it).
    #[schema(value_type = Object, example = json!({"POP.REGISTERED": 1234, "POP.MALE": 620}))]
    pub values: BTreeMap<String, serde_json::Value>,
    /// Why (kept with every changed cell).
    #[schema(inline)]
    pub reason: Option<Reason>,
}

fn raw(value: &serde_json::Value) -> Option<RawCell> {
    Some(match value {
        serde_json::Value::Null => RawCell::Null,
        serde_json::Value::Bool(b) => RawCell::Bool(*b),
        serde_json::Value::Number(n) => RawCell::Number(n.to_string()),
        serde_json::Value::String(s) => RawCell::Text(s.clone()),
        _ => return None,
    })
}

/// Changes some values of a village's form. Every cell is checked against its indicator; if any
/// fails, the answer is 422 with one detail per cell and nothing is saved. Returns the new revision
/// and the rule results (GET the entry for its values).
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header, description = "the revision read")),
    request_body = EntryPatch,
    responses(
        (status = 200, body = PatchResult),
        (status = 403, description = "not this village's clerk", body = ErrorBody),
        (status = 409, description = "`entry_locked`: submitted or approved", body = ErrorBody),
        (status = 412, description = "`stale_revision`: changed since read; nothing saved", body = ErrorBody),
        (status = 422, description = "values refused, one detail per cell; nothing saved", body = ErrorBody),
        (status = 428, description = "`If-Match` missing", body = ErrorBody),
    )
)]
#[patch("/api/v1/entries/{region}/{period}")]
pub async fn patch_entry(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<EntryPatch>,
) -> Result<HttpResponse, ApiError> {
    let WriteTarget { region, period, revision } =
        write_target(&state, &caller, &req, &path, "entries.edit", &[Role::Clerk]).await?;
    let EntryPatch { values, reason } = body.into_inner();
    let mut cells = Vec::with_capacity(values.len());
    let mut shape = ApiError::unprocessable("validation_failed", "有填报值不符合要求，全部未保存，请按提示修改");
    for (code, value) in &values {
        match raw(value) {
            Some(cell) => cells.push((code.clone(), cell)),
            None => shape = shape.with_detail(Some(code), "invalid_value", "值应为数字、是/否、文本或 null"),
        }
    }
    if shape.has_details() {
        return Err(shape);
    }
    let actor = caller.subject.clone();
    let (form, entry, cells) = with_form(&state, region, period, true, move |conn, form| {
        let checked = check_cells(form, &cells)?;
        let reason = reason.map(String::from);
        let change = Change { actor: &actor, source: "entry", reason, now: chrono::Utc::now().naive_utc() };
        let (entry, cells) = write_cells(conn, &region.to_string(), &period.to_string(), revision, &checked, &change)?;
        Ok((form.clone(), entry, cells))
    })
    .await?;
    // Rules and derived values are evaluated here, not in the (single) SQLite writer.
    Ok(PatchResult::new(&form, &entry, &cells).respond())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CarryForward {
    /// The codes whose last-period values still hold; omitted or empty: every value last period had.
    #[serde(default)]
    pub codes: Vec<String>,
}

/// "Nothing changed": copies last period's values for the given codes (or all) into this period,
/// recorded with source `carried_forward`.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header)),
    request_body = CarryForward,
    responses(
        (status = 200, body = Entry),
        (status = 409, body = ErrorBody),
        (status = 412, body = ErrorBody),
        (status = 422, description = "a code had no value last period, or the value no longer passes", body = ErrorBody),
        (status = 428, body = ErrorBody),
    )
)]
#[post("/api/v1/entries/{region}/{period}/carry-forward")]
pub async fn carry_forward(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<CarryForward>,
) -> Result<HttpResponse, ApiError> {
    let WriteTarget { region, period, revision } =
        write_target(&state, &caller, &req, &path, "entries.edit", &[Role::Clerk]).await?;
    let codes = body.into_inner().codes;
    let actor = caller.subject.clone();
    let entry = with_form(&state, region, period, true, move |conn, form| {
        let previous: BTreeMap<String, String> =
            store::values(conn, &region.to_string(), &period.previous().to_string())?
                .into_iter()
                .filter(|v| form.entered.contains_key(&v.indicator_code))
                .map(|v| (v.indicator_code, v.value))
                .collect();
        let wanted: Vec<String> = if codes.is_empty() { previous.keys().cloned().collect() } else { codes };
        let mut missing = ApiError::unprocessable("validation_failed", "部分指标上期没有数值，无法沿用；全部未保存");
        let mut cells = Vec::new();
        for code in wanted {
            match previous.get(&code) {
                Some(value) => cells.push((code, RawCell::Text(value.clone()))),
                None => {
                    missing = missing.with_detail(
                        Some(&code),
                        "no_previous_value",
                        format!("{code} 上期（{}）没有数值", period.previous()),
                    );
                }
            }
        }
        if missing.has_details() {
            return Err(missing);
        }
        let checked = check_cells(form, &cells)?;
        let change = Change {
            actor: &actor,
            source: "carried_forward",
            reason: Some(format!("沿用 {} 数据", period.previous())),
            now: chrono::Utc::now().naive_utc(),
        };
        write_cells(conn, &region.to_string(), &period.to_string(), revision, &checked, &change)?;
        view(conn, form, region, period)
    })
    .await?;
    Ok(respond(&entry))
}

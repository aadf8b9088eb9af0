//! `PATCH /api/v1/entries/{region}/{period}` and `POST .../carry-forward`

use std::collections::BTreeMap;

use actix_web::{patch, post, web, HttpRequest, HttpResponse};
use onetable_app::entries::edit;
use onetable_app::text::Reason;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{if_match, parse_path, respond, with_etag, Entry, PatchResult};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
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
    let at = parse_path(&path.0, &path.1)?;
    let EntryPatch { values, reason } = body.into_inner();
    let cells = values.iter().map(|(code, value)| (code.clone(), onetable_app::input::raw_cell(value))).collect();
    let result = edit::edit(&state, &caller, at, if_match(&req).as_deref(), cells, reason.map(String::from)).await?;
    Ok(with_etag(&result, result.revision))
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
    let at = parse_path(&path.0, &path.1)?;
    let codes = body.into_inner().codes;
    let entry = edit::carry_forward(&state, &caller, at, if_match(&req).as_deref(), codes).await?;
    Ok(respond(&entry))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ConfirmSupplied {
    /// The codes whose supplied values the clerk confirms; omitted or empty: every one of the form.
    #[serde(default)]
    pub codes: Vec<String>,
}

/// The clerk confirms values a department supplied (数据回流): each takes the department's latest
/// number with source `confirmed` — a prefilled value keeps its number, a newer one offered
/// beside a typed value replaces it.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header)),
    request_body = ConfirmSupplied,
    responses(
        (status = 200, body = Entry),
        (status = 409, body = ErrorBody),
        (status = 412, body = ErrorBody),
        (status = 422, description = "a code with no supplied value", body = ErrorBody),
        (status = 428, body = ErrorBody),
    )
)]
#[post("/api/v1/entries/{region}/{period}/confirm-supplied")]
pub async fn confirm_supplied(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<ConfirmSupplied>,
) -> Result<HttpResponse, ApiError> {
    let at = parse_path(&path.0, &path.1)?;
    let codes = body.into_inner().codes;
    let entry = onetable_app::supplies::prefill::confirm(&state, &caller, at, if_match(&req).as_deref(), codes).await?;
    Ok(respond(&entry))
}

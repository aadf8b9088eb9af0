//! `POST /api/v1/supplies/{id}/values`: the department's system pushes its values.

use actix_web::{post, web, HttpRequest, HttpResponse};
use onetable_app::supplies::push::{self, PushReport, SupplyPush};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::imports::idempotent;
use crate::routes::json::Json;
use crate::state::AppState;

/// Largest push body: 200,000 rows of about 110 bytes.
pub const PUSH_LIMIT: usize = 32 * 1024 * 1024;

/// Pushes values under an approved supply: `{rows: [{region, period, indicator, value, as_of}]}`.
/// All or nothing: a row outside the grant's region or indicators is 403 naming the row; a value
/// of the wrong type, a region that is not a village, a period the indicator is not reported in,
/// a future `as_of` is 422 naming row and column. The values prefill the villages' editable forms
/// where the clerk has not typed or confirmed another; `Idempotency-Key` makes a retry safe.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = SupplyPush,
    responses(
        (status = 200, body = PushReport),
        (status = 403, description = "not the supplier, not approved, or rows outside the grant (named)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "naming row and column", body = ErrorBody),
    )
)]
#[post("/api/v1/supplies/{id}/values")]
pub async fn push_values(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<SupplyPush, PUSH_LIMIT>,
) -> Result<HttpResponse, ApiError> {
    let parsed = body.into_inner();
    let hash =
        onetable_app::imports::idempotency::request_hash(req.path(), &serde_json::to_vec(&parsed).unwrap_or_default());
    let id = id.into_inner();
    let work = async { Ok(HttpResponse::Ok().json(push::push(&state, &caller, id, parsed).await?)) };
    idempotent(&state, &caller, &req, hash, work).await
}

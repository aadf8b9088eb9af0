//! `GET /api/v1/supplies/{id}/discrepancies`, `POST …/discrepancies/{did}/answer`

use actix_web::{get, post, web, HttpResponse};
use onetable_app::supplies::discrepancies::{self, Discrepancy, DiscrepancyAnswer};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// The villages' corrections of this supply's values: village, period, indicator, the
/// department's number, the village's, the clerk's reason, when — and where each stands.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Discrepancy>), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/supplies/{id}/discrepancies")]
pub async fn list_discrepancies(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(discrepancies::list(&state, &caller, id.into_inner()).await?))
}

/// The department answers why its number stands (the village sees the answer beside the field).
/// Supplying the village's number closes a discrepancy too, without an answer.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path), ("did" = i64, Path)),
    request_body = DiscrepancyAnswer,
    responses(
        (status = 200, body = Discrepancy),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "no longer open", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("/api/v1/supplies/{id}/discrepancies/{did}/answer")]
pub async fn answer_discrepancy(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: Json<DiscrepancyAnswer>,
) -> Result<HttpResponse, ApiError> {
    let (supply, id) = path.into_inner();
    Ok(HttpResponse::Ok().json(discrepancies::answer(&state, &caller, supply, id, body.into_inner()).await?))
}

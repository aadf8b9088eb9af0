//! `GET /api/v1/subscriptions/{id}/events?after=CURSOR`

use actix_web::{get, web, HttpResponse};
use onetable_app::subscriptions::replay::{self, EventPage, EventQuery};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The delivery log (投递记录) and replay: the subscription's events after `after`, oldest first,
/// each exactly as it was (or will be) POSTed, with its delivery status, attempts and last
/// outcome. A system that was down reads from its last cursor what it missed.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path), EventQuery),
    responses(
        (status = 200, body = EventPage),
        (status = 400, description = "`invalid_query`: a bad cursor or limit", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/api/v1/subscriptions/{id}/events")]
pub async fn subscription_events(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<EventQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(replay::events(&state, &caller, id.into_inner(), query.into_inner()).await?))
}

//! `POST|GET /api/v1/subscriptions`, `GET|DELETE /api/v1/subscriptions/{id}`

use actix_web::{delete, get, post, web, HttpResponse};
use onetable_app::subscriptions::{manage, NewSubscription, Subscription};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// A department subscribes one of its approved data requests to an endpoint of its system: when
/// an entry within the grant is approved, reopened, or approved again after a change, the server
/// POSTs an event there, signed with the secret (`X-Onetable-Signature: t=…,v1=…`, HMAC-SHA256
/// over `t.body`). Only to hosts the operator allows (`webhook_allowed_hosts`); never to an
/// inside address the operator did not name itself.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    request_body = NewSubscription,
    responses(
        (status = 201, body = Subscription),
        (status = 403, body = ErrorBody),
        (status = 404, description = "not the department's request", body = ErrorBody),
        (status = 409, description = "`request_not_active`, `subscription_exists`, `too_many_subscriptions`", body = ErrorBody),
        (status = 422, description = "`invalid_subscription`: an address not allowed, a short secret", body = ErrorBody),
    )
)]
#[post("/api/v1/subscriptions")]
pub async fn create_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewSubscription>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(manage::subscribe(&state, &caller, body.into_inner()).await?))
}

/// The subscriptions the caller sees (a department its own, an admin those of the requests over
/// its scope), with how many events are pending, delivered and given up.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Subscription>), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/subscriptions")]
pub async fn list_subscriptions(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(manage::list(&state, &caller).await?))
}

/// One subscription.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Subscription), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/subscriptions/{id}")]
pub async fn get_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(manage::find(&state, &caller, id.into_inner()).await?))
}

/// The department cancels a subscription: nothing more is sent; its events stay replayable.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = Subscription),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "already cancelled", body = ErrorBody),
    )
)]
#[delete("/api/v1/subscriptions/{id}")]
pub async fn cancel_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(manage::cancel(&state, &caller, id.into_inner()).await?))
}

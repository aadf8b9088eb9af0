//! `PUT /api/v1/regions/{code}/reminder-hook`

use actix_web::{put, web, HttpResponse};
use onetable_app::reminders::hooks::{self, Hook};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct SetHook {
    /// `dingtalk` (钉钉) or `wecom` (企业微信).
    pub kind: String,
    /// The group robot's webhook address.
    pub url: String,
    /// A DingTalk robot's 加签 secret (`SEC…`): each post is then signed with it.
    pub secret: Option<String>,
}

impl std::fmt::Debug for SetHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetHook").field("kind", &self.kind).finish_non_exhaustive()
    }
}

/// An admin sets the chat group robot of a township or county in scope: reminders to its villages
/// are also posted there (`{"msgtype":"text","text":{"content":…}}`).
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("code" = String, Path)),
    request_body = SetHook,
    responses((status = 200, body = Hook), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[put("/api/v1/regions/{code}/reminder-hook")]
pub async fn set_hook(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    body: Json<SetHook>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let setting = hooks::RobotSetting { kind: body.kind, url: body.url, secret: body.secret };
    Ok(HttpResponse::Ok().json(hooks::set(&state, &caller, code.into_inner(), setting).await?))
}

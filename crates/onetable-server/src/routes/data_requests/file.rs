//! `POST /api/v1/data-requests`: a department files a request.

use actix_web::{post, web, HttpResponse};
use onetable_app::sharing::{requests, DataRequest, NewDataRequest};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// Files a data request for review. Every indicator code is checked: unknown ones are refused
/// with the closest registry entries as suggestions; sensitive ones need a legal basis; the
/// region must be inside the department's jurisdiction.
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    request_body = NewDataRequest,
    responses((status = 201, body = DataRequest), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/api/v1/data-requests")]
pub async fn file_request(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewDataRequest>,
) -> Result<HttpResponse, ApiError> {
    let filed = requests::file(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(filed))
}

//! `POST /api/v1/data-requests`: a department files a request.

use actix_web::{post, web, HttpResponse};
use onetable_core::Role;
use onetable_store::{registry, sharing as store};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;
use onetable_app::sharing::{check, DataRequest, NewDataRequest, PENDING};

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
    state.authorize(&caller, "data_request.file", None, caller.require_role(&[Role::Department])).await?;
    let department = caller
        .department
        .clone()
        .ok_or_else(|| ApiError::forbidden("forbidden", "账号未归属任何部门，不能申请数据"))?;
    let body = body.into_inner();
    let now = chrono::Utc::now();
    // Checking compares names (suggestions): off the async workers.
    let (body, checked) = state
        .run(move |conn| {
            let current = registry::current(conn)?;
            let checked = check(&body, &current, now)?;
            Ok((body, checked))
        })
        .await?;
    state
        .authorize(&caller, "data_request.file", Some(checked.region.to_string()), caller.require_write(checked.region))
        .await?;
    let row = store::NewDataRequest {
        title: body.title.trim().to_owned(),
        purpose: body.purpose.trim().to_owned(),
        legal_basis: body.legal_basis.trim().to_owned(),
        department,
        requested_by: caller.subject.clone(),
        region_code: checked.region.to_string(),
        indicators: checked.indicators.join(","),
        periods: (!checked.periods.is_empty()).then(|| checked.periods.join(",")),
        frequency: checked.frequency,
        start_period: checked.start_period,
        expires_at: body.expires_at.naive_utc(),
        status: PENDING.to_owned(),
        created_at: now.naive_utc(),
    };
    let saved = state.write(move |conn| Ok(store::insert(conn, &row)?)).await?;
    let mut event = caller.event("data_request.file", Some(saved.id.to_string()), "success");
    event.detail = Some(saved.indicators.clone());
    state.audit(event).await?;
    Ok(HttpResponse::Created().json(DataRequest::from_row(saved, now.naive_utc())))
}

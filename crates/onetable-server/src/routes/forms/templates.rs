//! `/api/v1/report-templates`: a department's own forms, saved to be filled in from the registry.

use actix_web::{delete, get, post, web, HttpResponse};
use onetable_app::legacy::fill::{fill, FillAsk};
use onetable_app::legacy::templates::{self, ReportTemplate, TemplateInput};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

/// A department saves an analyzed form as a report template: its title and note rows, header as
/// written (with merges), row-label columns and each data column's indicator (or none, left
/// blank). Units are checked against the registry and the factors worked out here.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    request_body = TemplateInput,
    responses(
        (status = 201, body = ReportTemplate),
        (status = 400, body = ErrorBody),
        (status = 403, description = "not a department", body = ErrorBody),
        (status = 422, description = "a name missing; an unknown code, a unit that does not convert, a malformed header: a detail each", body = ErrorBody),
    )
)]
#[post("/api/v1/report-templates")]
pub async fn save_template(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<TemplateInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(templates::save(&state, &caller, body.into_inner()).await?))
}

/// A department's report templates (an admin: every department's), newest first.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ReportTemplate>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/report-templates")]
pub async fn list_templates(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(templates::list(&state, &caller).await?))
}

/// A department deletes one of its templates.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[delete("/api/v1/report-templates/{id}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    templates::delete(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FillQuery {
    /// The approved data request to read under; it must grant every indicator of the template.
    pub request: i64,
    /// `2025`, `2025Q3`, `2025-06`.
    pub period: String,
    /// Part of the request's region (default: all of it).
    pub within: Option<String>,
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
}

/// The department's own form filled in for every village (or township) in scope: values in the
/// form's units, derived columns computed, blank where there is no approved value yet, a 小计
/// row per township when the form has a 乡镇 column. A pull under the request: logged for the
/// villages, with the request's grant rules.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    params(("id" = i64, Path), FillQuery),
    responses(
        (status = 200, description = "the filled form", content(
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("text/csv"),
        )),
        (status = 400, body = ErrorBody),
        (status = 403, description = "the request is not active, or does not grant the period or an indicator", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody),
    )
)]
#[get("/api/v1/report-templates/{id}/filled")]
pub async fn fill_template(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<FillQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let ask = FillAsk { request: q.request, period: q.period, within: q.within, format: q.format };
    let file = fill(&state, &caller, id.into_inner(), ask).await?;
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header(("content-disposition", format!("attachment; filename=\"{}\"", file.file_name)))
        .body(file.bytes))
}

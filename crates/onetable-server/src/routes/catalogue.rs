//! `GET /api/v1/catalogue/export?format=csv|xlsx`

use actix_web::{get, web, HttpResponse};
use onetable_app::registry::read::{self, CatalogueFormat};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::Binary;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (indicators only, UTF-8 with BOM) or `xlsx` (sheets `indicators` and `rules`). Default csv.
    pub format: Option<String>,
}

/// The registry (current versions, form order) for people who work in Excel. The CSV has the
/// reference catalogue's columns, so it loads back with `onetable catalogue load`.
#[utoipa::path(
    tag = "registry",
    security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "the file", content(
            (String = "text/csv"),
            (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "unknown format", body = ErrorBody),
    )
)]
#[get("/api/v1/catalogue/export")]
pub async fn export_catalogue(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (format, body) = read::export(&state, &caller, query.format.as_deref()).await?;
    let content_type = match format {
        CatalogueFormat::Csv => "text/csv; charset=utf-8",
        CatalogueFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"onetable-catalogue.{}\"", format.extension()),
        ))
        .body(body))
}

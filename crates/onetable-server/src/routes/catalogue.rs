//! `GET /api/v1/catalogue/export?format=csv|xlsx`

use actix_web::{get, web, HttpResponse};
use onetable_analytics::render;
use onetable_store::registry;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::export::Binary;
use crate::routes::indicators::require_reader;
use crate::state::AppState;
use onetable_app::registry::catalogue::export_tables;

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
    state.authorize(&caller, "catalogue.export", None, require_reader(&caller)).await?;
    let format = query.format.as_deref().unwrap_or("csv").to_owned();
    if !matches!(format.as_str(), "csv" | "xlsx") {
        return Err(ApiError::bad_request("invalid_query", "format 应为 csv 或 xlsx").with_detail(
            Some("format"),
            "invalid_value",
            format,
        ));
    }
    let csv = format == "csv";
    // Loading and rendering run on the blocking pool.
    let (body, content_type) = state
        .run(move |conn| {
            let (current, rules) = (registry::current(conn)?, registry::rules(conn)?);
            let mut rows: Vec<_> = current.into_values().collect();
            rows.sort_by(|a, b| (a.sort_order, &a.code).cmp(&(b.sort_order, &b.code)));
            let (indicators, rules) = export_tables(rows, rules);
            Ok(if csv {
                (render::to_csv(&indicators).map_err(ApiError::internal)?, "text/csv; charset=utf-8")
            } else {
                (
                    render::to_xlsx(&[("indicators", &indicators), ("rules", &rules)]).map_err(ApiError::internal)?,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            })
        })
        .await?;
    state.audit(caller.event("catalogue.export", Some(format.clone()), "success")).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("content-disposition", format!("attachment; filename=\"onetable-catalogue.{format}\"")))
        .body(body))
}

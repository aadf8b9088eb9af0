//! `GET /api/v1/data-requests/{id}/records`: the records of a register the request was granted.

use actix_web::{get, web, HttpResponse};
use onetable_app::sharing::record_pull::{self, RecordPull};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordPullQuery {
    /// A register the request names, e.g. `REG.DIBAO`.
    pub register: String,
    /// A narrower region inside the request's.
    pub within: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// A department pulls the records of a register its approved request names: only the columns it
/// names, masked (5223**********1234, 张*) unless the admin granted full values. Each village
/// read sees the pull in 谁用了我的数据; a register not granted is 403 (departments otherwise see
/// counts only).
#[utoipa::path(
    tag = "sharing",
    security(("bearer" = [])),
    params(("id" = i64, Path), RecordPullQuery),
    responses(
        (status = 200, description = "JSON, or CSV with `format=csv`", content((RecordPull = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody),
        (status = 403, description = "another role, a request not active, a register or region not granted", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/api/v1/data-requests/{id}/records")]
pub async fn pull_records(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<RecordPullQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let format = query.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv") {
        return Err(ApiError::bad_request("invalid_format", "format 只能是 json 或 csv").with_detail(
            Some("format"),
            "invalid_value",
            format.to_owned(),
        ));
    }
    let pulled = record_pull::pull_records(&state, &caller, id.into_inner(), query.register, query.within).await?;
    if format == "json" {
        return Ok(HttpResponse::Ok().json(pulled));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"records-{}-{}.csv\"", pulled.request, pulled.register),
        ))
        .body(csv_of(&pulled)?))
}

fn csv_of(pulled: &RecordPull) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let mut header = vec!["村（社区）代码", "村（社区）", "村民小组", "状态"];
    header.extend(pulled.columns.iter().map(|c| c.name.as_str()));
    let fault = |e: csv::Error| ApiError::internal(e.to_string());
    writer.write_record(&header).map_err(fault)?;
    for record in &pulled.records {
        let mut row = vec![
            record.village.clone(),
            record.village_name.clone(),
            record.group.clone().unwrap_or_default(),
            if record.status == "open" { "在册".to_owned() } else { "已注销".to_owned() },
        ];
        row.extend(pulled.columns.iter().map(|c| record.values.get(&c.code).cloned().unwrap_or_default()));
        writer.write_record(&row).map_err(fault)?;
    }
    writer.into_inner().map_err(|e| ApiError::internal(e.to_string()))
}

//! Reports as HTTP responses: JSON, CSV (UTF-8 with BOM), XLSX or Parquet.

use actix_web::HttpResponse;
use onetable_analytics::render::{to_csv, to_xlsx};
use onetable_analytics::{Headers, Report};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

pub use onetable_app::reports::{code_list, parse_headers, Format};

/// An indicator as listed with a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportIndicator {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub derived: bool,
}

/// A file in a request or an answer (XLSX, Parquet): for the spec, `string` in `binary` format.
#[derive(Debug)]
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for Binary {}

/// Villages expected in a region, and how many of their entries await review and are approved.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletenessDoc {
    pub expected: u32,
    /// Submitted and awaiting review (待审核); an approved entry counts under `approved` only.
    pub submitted: u32,
    /// Approved (已审核).
    pub approved: u32,
}

/// A value in a report row: a number, yes/no, text, `"<5"` for a withheld small count, or null.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ReportValue {
    Number(f64),
    Boolean(bool),
    /// Text, or `"<5"`.
    Text(String),
    /// No value.
    Null,
}

/// One row of a report: a region (or village) with its values by indicator code.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRowDoc {
    pub code: String,
    pub name: String,
    /// Village rows: the township's name.
    pub township: Option<String>,
    /// Village rows: the county's name.
    pub county: Option<String>,
    /// Rows above villages: how complete the region's entries are.
    pub completeness: Option<CompletenessDoc>,
    /// Indicator code → value (null when there is none).
    #[schema(value_type = std::collections::BTreeMap<String, ReportValue>)]
    pub values: serde_json::Value,
}

/// `GET /api/v1/aggregates` as JSON.
#[derive(Debug, Serialize, ToSchema)]
pub struct AggregateAnswer {
    pub period: String,
    /// The region's code, or `national` for the whole country (a nationwide caller).
    pub within: String,
    pub level: String,
    pub indicators: Vec<ReportIndicator>,
    /// Sensitive indicators not shown at this level (viewers below county level).
    pub withheld: Vec<String>,
    /// The time the data is as of: every change stored before it is counted.
    pub as_of: chrono::DateTime<chrono::Utc>,
    pub rows: Vec<ReportRowDoc>,
}

/// `GET /api/v1/aggregates/series`: one period of a trend.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesPeriodDoc {
    pub period: String,
    /// The region itself (none for the whole country: add up the provinces).
    pub total: Option<ReportRowDoc>,
    /// Its parts at the level asked.
    pub rows: Vec<ReportRowDoc>,
}

/// `GET /api/v1/aggregates/series` as JSON.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesAnswer {
    /// The region's code, or `national` for the whole country.
    pub within: String,
    pub level: String,
    pub periods: Vec<String>,
    pub indicators: Vec<ReportIndicator>,
    /// Sensitive indicators not shown in the parts' rows (viewers below county level).
    pub withheld: Vec<String>,
    pub as_of: chrono::DateTime<chrono::Utc>,
    /// Oldest period first.
    pub series: Vec<SeriesPeriodDoc>,
}

/// A region's point in one period of `GET /api/v1/aggregates?period=2023..2025`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionPointDoc {
    pub period: String,
    pub completeness: Option<CompletenessDoc>,
    /// Indicator code → value (null when there is none).
    #[schema(value_type = std::collections::BTreeMap<String, ReportValue>)]
    pub values: serde_json::Value,
}

/// One region's series: its values period by period, oldest first. A period in which the region
/// did not exist (divisions change) has no point.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionSeriesDoc {
    pub code: String,
    /// The name in the latest period it appears in.
    pub name: String,
    pub series: Vec<RegionPointDoc>,
}

/// `GET /api/v1/aggregates` with a list or range of periods, as JSON: one series per region.
#[derive(Debug, Serialize, ToSchema)]
pub struct AggregateSeriesAnswer {
    pub periods: Vec<String>,
    /// The region's code, or `national` for the whole country.
    pub within: String,
    pub level: String,
    pub indicators: Vec<ReportIndicator>,
    /// Sensitive indicators not shown in the regions' rows (viewers below county level).
    pub withheld: Vec<String>,
    pub as_of: chrono::DateTime<chrono::Utc>,
    /// `within` itself (none for the whole country).
    pub total: Option<RegionSeriesDoc>,
    /// The parts of `within` at `level`, by code.
    pub regions: Vec<RegionSeriesDoc>,
}

/// `GET /api/v1/aggregates` as JSON: one period's rows, or a series per region for several.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum AggregatesJson {
    One(AggregateAnswer),
    Many(AggregateSeriesAnswer),
}

/// Turns reports of one period each (oldest first) into one series per region, by code.
#[must_use]
pub fn series_by_region<'a>(reports: impl IntoIterator<Item = (String, &'a Report)>) -> Vec<serde_json::Value> {
    let mut regions: std::collections::BTreeMap<String, (serde_json::Value, Vec<serde_json::Value>)> =
        std::collections::BTreeMap::new();
    for (period, report) in reports {
        for row in report.to_json_rows() {
            let serde_json::Value::Object(mut row) = row else { continue };
            let code = row.remove("code").and_then(|c| c.as_str().map(str::to_owned)).unwrap_or_default();
            let name = row.remove("name").unwrap_or_default();
            row.insert("period".into(), period.clone().into());
            let entry = regions.entry(code).or_default();
            entry.0 = name;
            entry.1.push(serde_json::Value::Object(row));
        }
    }
    regions
        .into_iter()
        .map(|(code, (name, series))| serde_json::json!({ "code": code, "name": name, "series": series }))
        .collect()
}

/// `GET /api/v1/data-requests/{id}/data` as JSON.
#[derive(Debug, Serialize, ToSchema)]
pub struct PullAnswer {
    pub request_id: i64,
    pub period: String,
    pub region: String,
    pub level: String,
    pub indicators: Vec<ReportIndicator>,
    pub rows: Vec<ReportRowDoc>,
}

#[must_use]
pub fn indicators(report: &Report) -> Vec<ReportIndicator> {
    report
        .measures
        .iter()
        .map(|m| ReportIndicator {
            code: m.code.clone(),
            name: m.name.clone(),
            unit: m.unit.clone(),
            derived: m.is_derived(),
        })
        .collect()
}

/// Renders a report; `json` is the whole JSON body, built by the caller around the rows. The
/// rendering runs on the blocking pool: a large CSV, XLSX or Parquet file takes a while, and the
/// async workers must keep answering other requests meanwhile.
///
/// # Errors
/// 500 on a rendering fault.
pub async fn respond(
    report: Report,
    format: Format,
    headers: Headers,
    file_stem: &str,
    json: impl FnOnce(Vec<serde_json::Value>) -> serde_json::Value + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let attachment = |extension: &str| format!("attachment; filename=\"{file_stem}.{extension}\"");
    let body = actix_web::web::block(move || -> Result<Vec<u8>, ApiError> {
        match format {
            Format::Json => serde_json::to_vec(&json(report.to_json_rows())).map_err(ApiError::internal),
            Format::Csv => to_csv(&report.to_table(headers)).map_err(ApiError::internal),
            Format::Xlsx => to_xlsx(&[(report.period.as_str(), &report.to_table(headers))]).map_err(ApiError::internal),
            Format::Parquet => report.to_parquet().map_err(ApiError::internal),
        }
    })
    .await??;
    let mut response = HttpResponse::Ok();
    match format {
        Format::Json => response.content_type("application/json"),
        Format::Csv => {
            response.content_type("text/csv; charset=utf-8").insert_header(("content-disposition", attachment("csv")))
        }
        Format::Xlsx => response
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header(("content-disposition", attachment("xlsx"))),
        Format::Parquet => response
            .content_type("application/vnd.apache.parquet")
            .insert_header(("content-disposition", attachment("parquet"))),
    };
    Ok(response.body(body))
}

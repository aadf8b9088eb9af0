//! A template filled in (自动生成原表): under an approved data request, the department's own form
//! for every village (or township) in scope — values converted back to the form's units, derived
//! columns computed, blank where the registry has no approved value yet. The data comes through
//! the request's pull, so its grant rules and the villages' access log apply unchanged.

use std::collections::HashMap;

use onetable_analytics::filled::{FilledForm, Span};
use onetable_analytics::render::Cell;
use onetable_analytics::{Datum, Report};
use onetable_core::legacy::template::{RowLevel, Template};
use onetable_core::legacy::LabelKind;
use onetable_core::{RegionCode, RegionLevel, Role};
use onetable_store::models::RegionRow;
use onetable_store::regions::{self, RegionSearch};

use super::templates::{definition, visible};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::sharing::pull::{pull, PullAsk, Pulled};
use crate::App;

/// What a fill asks for.
#[derive(Debug, Clone, Default)]
pub struct FillAsk {
    /// The approved data request whose grant it reads under.
    pub request: i64,
    pub period: String,
    /// Part of the request's region (default: all of it).
    pub within: Option<String>,
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
}

/// The filled form as a file.
#[derive(Debug)]
pub struct FilledFile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// ASCII: `template-3-2025.xlsx`.
    pub file_name: String,
}

/// Rows a filled form may have (a province's villages; a sheet holds a million).
pub const MAX_ROWS: i64 = 200_000;

/// Region rows, with the regions of the form's rows and the townships over them, in code order.
struct Regions {
    rows: Vec<RegionRow>,
    townships: HashMap<String, String>,
}

fn regions_under(
    conn: &mut onetable_store::connection::DbConn,
    within: RegionCode,
    level: RegionLevel,
) -> AppResult<Vec<RegionRow>> {
    if within.level() == level {
        return Ok(regions::find(conn, within)?.into_iter().collect());
    }
    let query = RegionSearch { within: Some(within), level: Some(level), ..RegionSearch::default() };
    let page = regions::search(conn, &query, MAX_ROWS + 1, 0)?;
    if page.total > MAX_ROWS {
        return Err(Problem::too_large(
            "too_many_rows",
            format!("范围内有 {} 个区划，超过 {MAX_ROWS}；请缩小范围（within）", page.total),
        ));
    }
    Ok(page.items)
}

fn cell_of(datum: Option<&Datum>, factor: f64) -> Cell {
    match datum {
        Some(Datum::Number(n)) => Cell::Number(((n / factor) * 1e6).round() / 1e6),
        Some(Datum::Bool(b)) => Cell::Text((if *b { "是" } else { "否" }).to_owned()),
        Some(Datum::Text(t)) => Cell::Text(t.clone()),
        Some(Datum::Suppressed) => Cell::Text(onetable_analytics::report::SUPPRESSED.to_owned()),
        Some(Datum::Null) | None => Cell::Empty,
    }
}

/// A report's values by region code and indicator code.
struct Values<'a> {
    rows: HashMap<&'a str, &'a [Datum]>,
    measures: HashMap<&'a str, usize>,
}

impl<'a> Values<'a> {
    fn new(report: &'a Report) -> Self {
        Self {
            rows: report.rows.iter().map(|r| (r.code.as_str(), r.values.as_slice())).collect(),
            measures: report.measures.iter().enumerate().map(|(i, m)| (m.code.as_str(), i)).collect(),
        }
    }

    fn get(&self, region: &str, code: &str) -> Option<&Datum> {
        self.rows.get(region).and_then(|values| values.get(*self.measures.get(code)?))
    }
}

/// One row of the form: its labels, then each data column from `values` (blank without one).
fn form_row(
    template: &Template,
    width: usize,
    labels: &[(LabelKind, String)],
    region: &str,
    values: Option<&Values>,
) -> Vec<Cell> {
    let mut cells = vec![Cell::Empty; width];
    for label in &template.labels {
        if let Some((_, text)) = labels.iter().find(|(kind, _)| *kind == label.kind) {
            cells[label.index] = Cell::Text(text.clone());
        }
    }
    for column in &template.columns {
        if let (Some(code), Some(values)) = (&column.code, values) {
            cells[column.index] = cell_of(values.get(region, code), column.factor);
        }
    }
    cells
}

fn township_of(code: &str) -> String {
    RegionCode::parse(code).map(|c| c.truncated_to(RegionLevel::Township).to_string()).unwrap_or_default()
}

/// The rows of the form.
fn body(
    template: &Template,
    regions: &Regions,
    villages: Option<&Values>,
    townships: Option<&Values>,
) -> Vec<Vec<Cell>> {
    let width = template.width();
    let has_township_column = template.labels.iter().any(|l| l.kind == LabelKind::Township);
    let mut out = Vec::new();
    let mut seq = 0;
    let mut current_township: Option<String> = None;
    let subtotal = |township: &str, out: &mut Vec<Vec<Cell>>| {
        let name = regions.townships.get(township).cloned().unwrap_or_default();
        let labels = [
            (LabelKind::Township, format!("{name}小计")),
            (LabelKind::Village, "小计".to_owned()),
            (LabelKind::RegionCode, township.to_owned()),
        ];
        out.push(form_row(template, width, &labels, township, townships));
    };
    for region in &regions.rows {
        seq += 1;
        match template.rows {
            RowLevel::Township => {
                let labels = [
                    (LabelKind::Sequence, seq.to_string()),
                    (LabelKind::RegionCode, region.code.clone()),
                    (LabelKind::Township, region.name.clone()),
                ];
                out.push(form_row(template, width, &labels, &region.code, townships));
            }
            RowLevel::Village => {
                let township = township_of(&region.code);
                if has_township_column && current_township.as_deref().is_some_and(|t| t != township) {
                    subtotal(current_township.as_deref().unwrap_or_default(), &mut out);
                }
                current_township = Some(township.clone());
                let labels = [
                    (LabelKind::Sequence, seq.to_string()),
                    (LabelKind::RegionCode, region.code.clone()),
                    (LabelKind::Township, regions.townships.get(&township).cloned().unwrap_or_default()),
                    (LabelKind::Village, region.name.clone()),
                ];
                out.push(form_row(template, width, &labels, &region.code, villages));
            }
        }
    }
    if let (true, Some(township)) = (has_township_column && template.rows == RowLevel::Village, current_township) {
        subtotal(&township, &mut out);
    }
    out
}

fn sheet_name(name: &str) -> String {
    let clean: String = name.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(31).collect();
    if clean.trim().is_empty() {
        "报表".to_owned()
    } else {
        clean
    }
}

/// A department (or an admin) fills a template under an approved request.
///
/// # Errors
/// 403 other roles, a request that does not grant the template's indicators or the period; 404 a
/// template or request the actor does not see; 400 malformed parameters; 413 too many rows.
pub async fn fill(app: &App, actor: &Actor, id: i64, ask: FillAsk) -> AppResult<FilledFile> {
    app.authorize(actor, "templates.fill", Some(id.to_string()), actor.require_role(&[Role::Department, Role::Admin]))
        .await?;
    let row = visible(app, actor, id).await?;
    let template = definition(&row)?;
    let csv = match ask.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => false,
        "csv" => true,
        other => {
            return Err(Problem::bad_request("invalid_format", format!("format 只能是 xlsx 或 csv，而不是 {other}")))
        }
    };
    let base = PullAsk {
        period: ask.period.clone(),
        within: ask.within.clone(),
        indicators: Some(template.codes().join(",")),
        ..PullAsk::default()
    };
    let by_village = match template.rows {
        RowLevel::Village => {
            Some(pull(app, actor, ask.request, PullAsk { level: Some(RegionLevel::Village), ..base.clone() }).await?)
        }
        RowLevel::Township => None,
    };
    let wants_townships =
        template.rows == RowLevel::Township || template.labels.iter().any(|l| l.kind == LabelKind::Township);
    let by_township: Option<Pulled> = if wants_townships {
        Some(pull(app, actor, ask.request, PullAsk { level: Some(RegionLevel::Township), ..base }).await?)
    } else {
        None
    };
    let granted = by_village
        .as_ref()
        .or(by_township.as_ref())
        .map(|p| (p.granted.within, p.granted.period, p.request.department.clone()));
    let Some((within, period, department)) = granted else { return Err(Problem::internal("a fill pulled nothing")) };
    let level = if template.rows == RowLevel::Township { RegionLevel::Township } else { RegionLevel::Village };
    let regions = app
        .run(move |conn| {
            let rows = regions_under(conn, within, level)?;
            let townships: Vec<RegionRow> = if within.level() >= RegionLevel::Township {
                regions::find(conn, within.truncated_to(RegionLevel::Township))?.into_iter().collect()
            } else {
                regions_under(conn, within, RegionLevel::Township)?
            };
            Ok(Regions { rows, townships: townships.into_iter().map(|r| (r.code, r.name)).collect() })
        })
        .await?;
    let village_values = by_village.as_ref().map(|p| Values::new(&p.report));
    let township_values = by_township.as_ref().map(|p| Values::new(&p.report));
    let form = FilledForm {
        title_rows: template.title_rows.clone(),
        note_rows: template.note_rows.clone(),
        header: template.header.clone(),
        merges: template.header_merges().iter().map(|m| Span { top: m.top, left: m.left, bottom: m.bottom, right: m.right }).collect(),
        body: body(&template, &regions, village_values.as_ref(), township_values.as_ref()),
        footer: vec![format!(
            "数据来源：一张表 · 数据需求 #{}（{department}）· {period} 期 · 仅含已审核数据，空白为尚无数据 · 生成于 {} UTC",
            ask.request,
            chrono::Utc::now().format("%Y-%m-%d %H:%M")
        )],
        width: template.width(),
    };
    let name = sheet_name(&row.name);
    let bytes = tokio::task::spawn_blocking(move || if csv { form.to_csv() } else { form.to_xlsx(&name) })
        .await
        .map_err(Problem::internal)?
        .map_err(Problem::internal)?;
    let extension = if csv { "csv" } else { "xlsx" };
    Ok(FilledFile {
        bytes,
        content_type: if csv {
            "text/csv; charset=utf-8"
        } else {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
        file_name: format!("template-{id}-{period}.{extension}"),
    })
}

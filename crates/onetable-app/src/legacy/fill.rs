//! A template filled in (自动生成原表): under an approved data request, the department's own form
//! for every village (or township) in scope — values converted back to the form's units, derived
//! columns computed, blank where the registry has no approved value yet. The data comes through
//! the request's pull, so its grant rules and the villages' access log apply unchanged.

use std::collections::{BTreeMap, HashMap};

use onetable_analytics::filled::{FilledForm, Span};
use onetable_analytics::render::Cell;
use onetable_analytics::{Datum, Report};
use onetable_core::indicator::{Frequency, ValueType};
use onetable_core::legacy::template::{RowLevel, Template};
use onetable_core::legacy::LabelKind;
use onetable_core::{Period, RegionCode, RegionLevel, Role};
use onetable_store::models::RegionRow;
use onetable_store::regions::{self, RegionSearch};
use onetable_store::registry::IndicatorRow;

use super::templates::{definition, visible};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::sharing::pull::{pull, PullAsk};
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
    /// For a form with a 县区 column.
    counties: HashMap<String, String>,
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

/// A value in the form's unit, rounded to `decimals` places.
fn cell_of(datum: Option<&Datum>, factor: f64, decimals: u8) -> Cell {
    match datum {
        Some(Datum::Number(n)) => {
            let scale = 10f64.powi(i32::from(decimals));
            Cell::Number(((n / factor) * scale).round() / scale)
        }
        Some(Datum::Bool(b)) => Cell::Text((if *b { "是" } else { "否" }).to_owned()),
        Some(Datum::Text(t)) => Cell::Text(t.clone()),
        Some(Datum::Suppressed) => Cell::Text(onetable_analytics::report::SUPPRESSED.to_owned()),
        Some(Datum::Null) | None => Cell::Empty,
    }
}

/// Values by region code and indicator code, from one pull per frequency of the template's
/// indicators (a quarterly form's annual columns come from the year containing the quarter).
#[derive(Default)]
struct Values {
    cells: HashMap<(String, String), Datum>,
}

impl Values {
    fn add(&mut self, report: &Report) {
        for row in &report.rows {
            for (measure, datum) in report.measures.iter().zip(&row.values) {
                self.cells.insert((row.code.clone(), measure.code.clone()), datum.clone());
            }
        }
    }

    fn get(&self, region: &str, code: &str) -> Option<&Datum> {
        self.cells.get(&(region.to_owned(), code.to_owned()))
    }
}

/// One row of the form: its labels, then each data column from `values` (blank without one),
/// rounded as `decimals` says for its column.
fn form_row(
    template: &Template,
    width: usize,
    labels: &[(LabelKind, String)],
    region: &str,
    values: Option<&Values>,
    decimals: &[u8],
) -> Vec<Cell> {
    let mut cells = vec![Cell::Empty; width];
    for label in &template.labels {
        if let Some((_, text)) = labels.iter().find(|(kind, _)| *kind == label.kind) {
            cells[label.index] = Cell::Text(text.clone());
        }
    }
    for (column, places) in template.columns.iter().zip(decimals) {
        if let (Some(code), Some(values)) = (&column.code, values) {
            cells[column.index] = cell_of(values.get(region, code), column.factor, *places);
        }
    }
    cells
}

/// The decimal places of each template column: the form's own (as its example rows wrote them),
/// else the indicator's scale (two places at least once converted to another unit).
fn column_decimals(template: &Template, registry: &BTreeMap<String, IndicatorRow>) -> Vec<u8> {
    template
        .columns
        .iter()
        .map(|column| {
            if let Some(places) = column.decimals {
                return places;
            }
            let scale = column
                .code
                .as_ref()
                .and_then(|code| registry.get(code))
                .and_then(|row| ValueType::parse(&row.value_type).ok())
                .map_or(2, |t| match t {
                    ValueType::Decimal { scale } => u8::try_from(scale).unwrap_or(6),
                    _ => 0,
                });
            if (column.factor - 1.0).abs() > f64::EPSILON {
                scale.max(2)
            } else {
                scale
            }
        })
        .collect()
}

fn township_of(code: &str) -> String {
    RegionCode::parse(code).map(|c| c.truncated_to(RegionLevel::Township).to_string()).unwrap_or_default()
}

fn county_of(code: &str) -> String {
    RegionCode::parse(code).map(|c| c.truncated_to(RegionLevel::County).to_string()).unwrap_or_default()
}

/// The rows of the form. A village name that repeats in scope (团结村 four times) names its
/// township too, when the form has no township or code column to tell them apart.
fn body(
    template: &Template,
    regions: &Regions,
    villages: Option<&Values>,
    townships: Option<&Values>,
    decimals: &[u8],
) -> Vec<Vec<Cell>> {
    let width = template.width();
    let has_township_column = template.labels.iter().any(|l| l.kind == LabelKind::Township);
    let told_apart = has_township_column || template.labels.iter().any(|l| l.kind == LabelKind::RegionCode);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for region in &regions.rows {
        *seen.entry(region.name.as_str()).or_default() += 1;
    }
    let village_label = |region: &RegionRow, township: &str| {
        if told_apart || seen.get(region.name.as_str()).copied().unwrap_or(0) < 2 {
            region.name.clone()
        } else {
            format!("{}（{}）", region.name, regions.townships.get(township).cloned().unwrap_or_default())
        }
    };
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
        out.push(form_row(template, width, &labels, township, townships, decimals));
    };
    for region in &regions.rows {
        seq += 1;
        match template.rows {
            RowLevel::Township => {
                let labels = [
                    (LabelKind::Sequence, seq.to_string()),
                    (LabelKind::RegionCode, region.code.clone()),
                    (LabelKind::County, regions.counties.get(&county_of(&region.code)).cloned().unwrap_or_default()),
                    (LabelKind::Township, region.name.clone()),
                ];
                out.push(form_row(template, width, &labels, &region.code, townships, decimals));
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
                    (LabelKind::County, regions.counties.get(&county_of(&region.code)).cloned().unwrap_or_default()),
                    (LabelKind::Township, regions.townships.get(&township).cloned().unwrap_or_default()),
                    (LabelKind::Village, village_label(region, &township)),
                ];
                out.push(form_row(template, width, &labels, &region.code, villages, decimals));
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
    let period = Period::parse(ask.period.trim()).map_err(|e| Problem::bad_request("invalid_period", e))?;
    let registry = app.run(|conn| Ok(onetable_store::registry::current(conn)?)).await?;
    // The template's indicators by the period each is read in: the asked one for its own
    // frequency, the containing one for coarser ones (a quarterly form's annual columns are its
    // year's, as the cubes read a derived indicator's annual inputs); finer ones (months in a
    // year) stay blank.
    let mut by_period: BTreeMap<Period, Vec<String>> = BTreeMap::new();
    let mut finer = Vec::new();
    for code in template.codes() {
        let frequency = registry.get(&code).and_then(|r| r.frequency.parse::<Frequency>().ok());
        match frequency.and_then(|f| period.at(f)) {
            Some(at) => by_period.entry(at).or_default().push(code),
            None => finer.push(registry.get(&code).map_or(code.clone(), |r| r.name.clone())),
        }
    }
    let wants_townships =
        template.rows == RowLevel::Township || template.labels.iter().any(|l| l.kind == LabelKind::Township);
    let (mut village_values, mut township_values) = (Values::default(), Values::default());
    let mut granted = None;
    for (at, codes) in &by_period {
        let base = PullAsk {
            period: at.to_string(),
            within: ask.within.clone(),
            indicators: Some(codes.join(",")),
            ..PullAsk::default()
        };
        if template.rows == RowLevel::Village {
            let pulled =
                pull(app, actor, ask.request, PullAsk { level: Some(RegionLevel::Village), ..base.clone() }).await?;
            village_values.add(&pulled.report);
            granted.get_or_insert((pulled.granted.within, pulled.request.department.clone()));
        }
        if wants_townships {
            let pulled = pull(app, actor, ask.request, PullAsk { level: Some(RegionLevel::Township), ..base }).await?;
            township_values.add(&pulled.report);
            granted.get_or_insert((pulled.granted.within, pulled.request.department.clone()));
        }
    }
    let Some((within, department)) = granted else {
        return Err(Problem::unprocessable(
            "no_indicators_for_period",
            format!("模板的指标（{}）都比 {period} 更细，这一期没有可填的数值：请选择更细的期别", finer.join("、")),
        ));
    };
    let level = if template.rows == RowLevel::Township { RegionLevel::Township } else { RegionLevel::Village };
    let regions = app
        .run(move |conn| {
            let rows = regions_under(conn, within, level)?;
            let townships: Vec<RegionRow> = if within.level() >= RegionLevel::Township {
                regions::find(conn, within.truncated_to(RegionLevel::Township))?.into_iter().collect()
            } else {
                regions_under(conn, within, RegionLevel::Township)?
            };
            let counties: Vec<RegionRow> = if within.level() >= RegionLevel::County {
                regions::find(conn, within.truncated_to(RegionLevel::County))?.into_iter().collect()
            } else {
                regions_under(conn, within, RegionLevel::County)?
            };
            Ok(Regions {
                rows,
                townships: townships.into_iter().map(|r| (r.code, r.name)).collect(),
                counties: counties.into_iter().map(|r| (r.code, r.name)).collect(),
            })
        })
        .await?;
    let decimals = column_decimals(&template, &registry);
    let villages = (template.rows == RowLevel::Village).then_some(&village_values);
    let townships = wants_townships.then_some(&township_values);
    let mut footer = vec![format!(
        "数据来源：一张表 · 数据需求 #{}（{department}）· {period} 期 · 仅含已审核数据，空白为尚无数据 · 生成于 {} UTC",
        ask.request,
        chrono::Utc::now().format("%Y-%m-%d %H:%M")
    )];
    let coarser: Vec<String> = by_period.keys().filter(|p| **p != period).map(ToString::to_string).collect();
    if !coarser.is_empty() {
        footer.push(format!("按年或按季填报的列取自所在的 {} 期", coarser.join("、")));
    }
    if !finer.is_empty() {
        footer.push(format!("{} 按更细的期别填报，{period} 期无数值", finer.join("、")));
    }
    let form = FilledForm {
        title_rows: template.title_rows.clone(),
        note_rows: template.note_rows.clone(),
        header: template.header.clone(),
        merges: template
            .header_merges()
            .iter()
            .map(|m| Span { top: m.top, left: m.left, bottom: m.bottom, right: m.right })
            .collect(),
        body: body(&template, &regions, villages, townships, &decimals),
        footer,
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

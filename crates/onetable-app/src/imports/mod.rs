//! Bulk import (批量导入) of values from CSV or XLSX, long or wide layout. All or nothing: any
//! invalid cell rejects the whole file with a report; entries already submitted or approved are
//! left alone and reported.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;
use onetable_core::value::{check_cell, RawCell};
use onetable_core::{similarity, Period, RegionCode, RegionLevel};
use onetable_store::cells as store;
use onetable_store::cells::DataValueRow;
use onetable_store::entries::{EditStamp, EntryRow, NewValueAudit};
use onetable_store::{regions, DbConn};
use serde::Serialize;
use utoipa::ToSchema;

use onetable_core::workflow::EntryStatus;

use crate::entries::{load_form, parse_period, Form};
use crate::problem::Problem;

pub mod budget;
pub mod idempotency;
pub mod read;
pub mod upload;
pub use read::{read_table, FileFormat, Limits};

/// Problems listed in a report before the rest are only counted.
const MAX_PROBLEMS: usize = 200;
/// Columns a wide file may carry for people, which the import ignores.
const DESCRIPTIVE_COLUMNS: [&str; 8] = ["region_name", "name", "township", "county", "名称", "村名", "乡镇", "区县"];

/// One refused cell or row.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct CellProblem {
    /// The row in the file, counting the header as row 1.
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// An entry the import did not touch because it is under review or approved.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LockedEntry {
    pub region_code: String,
    pub period: String,
    pub status: String,
    /// Cells of the file for it that were not imported.
    pub cells: usize,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// `long` or `wide`.
    pub layout: String,
    /// Data rows read.
    pub rows: usize,
    /// Non-empty value cells read.
    pub cells: usize,
    /// Cells that had no value before.
    pub inserted: usize,
    /// Cells whose value changed.
    pub updated: usize,
    /// Cells equal to the stored value.
    pub unchanged: usize,
    /// Cells not imported because their entry is submitted or approved.
    pub rejected: usize,
    pub locked: Vec<LockedEntry>,
    /// Every problem, up to 200 (see `problem_count`).
    pub problems: Vec<CellProblem>,
    pub problem_count: usize,
}

impl ImportReport {
    fn problem(&mut self, row: usize, column: &str, message: impl Into<String>) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(CellProblem { row, column: column.to_owned(), message: message.into() });
        }
    }

    /// The 422 a report with problems becomes.
    #[must_use]
    pub fn rejection(&self) -> Problem {
        let mut error = Problem::unprocessable(
            "import_rejected",
            format!("文件中有 {} 处问题，整个文件未导入；请按报告逐条修改后重新上传", self.problem_count),
        );
        for p in &self.problems {
            error = error.with_detail(
                Some(&p.column),
                "invalid_cell",
                format!("第 {} 行 {} 列：{}", p.row, p.column, p.message),
            );
        }
        error
    }
}

/// One value of the file, located.
struct CellIn {
    row: usize,
    column: String,
    region: RegionCode,
    period: Period,
    code: String,
    value: String,
}

/// Who may be written, and as whom.
pub struct Importer<'a> {
    pub actor: &'a str,
    /// Whether the caller reaches a village (its scope).
    pub reaches: &'a dyn Fn(RegionCode) -> bool,
    pub now: NaiveDateTime,
}

/// A file that passed every check, grouped by period, ready to be written.
pub struct Checked {
    report: ImportReport,
    by_period: BTreeMap<Period, Vec<CellIn>>,
    forms: HashMap<Period, Form>,
}

/// Reads and checks the whole file: nothing is written, so this needs no write turn.
///
/// # Errors
/// 422 with the report when any cell is invalid; 500 on a fault.
pub fn check(
    conn: &mut DbConn,
    table: &[Vec<String>],
    period: Option<&str>,
    dry_run: bool,
    who: &Importer<'_>,
) -> Result<Checked, Problem> {
    let mut report = ImportReport { dry_run, ..ImportReport::default() };
    let default_period = period.map(parse_period).transpose()?;
    let cells = collect_cells(conn, table, default_period, who, &mut report)?;
    if report.problem_count > 0 {
        return Err(report.rejection());
    }
    report.cells = cells.len();
    let mut by_period: BTreeMap<Period, Vec<CellIn>> = BTreeMap::new();
    for cell in cells {
        by_period.entry(cell.period).or_default().push(cell);
    }
    let forms = by_period.keys().map(|p| load_form(conn, *p).map(|f| (*p, f))).collect::<Result<HashMap<_, _>, _>>()?;
    Ok(Checked { report, by_period, forms })
}

/// Counts what a checked file changes and, unless it is a dry run, writes it in one transaction.
///
/// # Errors
/// 500 on a fault (nothing written then).
pub fn apply(conn: &mut DbConn, checked: Checked, actor: &str, now: NaiveDateTime) -> Result<ImportReport, Problem> {
    let Checked { mut report, by_period, forms } = checked;
    if report.dry_run {
        for (period, cells) in &by_period {
            plan(conn, *period, cells, &forms[period], (actor, now), &mut report, false)?;
        }
        return Ok(report);
    }
    onetable_store::connection::transaction(conn, |conn| {
        store::begin_write(conn)?;
        for (period, cells) in &by_period {
            plan(conn, *period, cells, &forms[period], (actor, now), &mut report, true)?;
        }
        Ok::<_, Problem>(())
    })?;
    Ok(report)
}

/// [`check`] then [`apply`].
///
/// # Errors
/// As those.
pub fn import(
    conn: &mut DbConn,
    table: &[Vec<String>],
    period: Option<&str>,
    dry_run: bool,
    who: &Importer<'_>,
) -> Result<ImportReport, Problem> {
    let checked = check(conn, table, period, dry_run, who)?;
    apply(conn, checked, who.actor, who.now)
}

fn collect_cells(
    conn: &mut DbConn,
    table: &[Vec<String>],
    default_period: Option<Period>,
    who: &Importer<'_>,
    report: &mut ImportReport,
) -> Result<Vec<CellIn>, Problem> {
    let Some((header, rows)) = table.split_first() else {
        report.problem(1, "-", "文件为空");
        return Ok(Vec::new());
    };
    let header: Vec<String> = header.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_owned()).collect();
    refuse_hidden_characters(table, &header, report);
    let at = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    // A county's own sheet says 区划代码 and 年度 where ours says region_code and period.
    let at_any = |names: &[&str]| names.iter().find_map(|n| at(n));
    let (region_at, period_at) =
        (at_any(&["region_code", "区划代码", "村级区划代码", "村代码"]), at_any(&["period", "期别", "年度", "年份"]));
    let long = at("indicator_code").zip(at("value"));
    report.layout = if long.is_some() { "long" } else { "wide" }.to_owned();
    report.rows = rows.iter().filter(|r| r.iter().any(|c| !c.is_empty())).count();
    let Some(region_at) = region_at else {
        report.problem(1, "region_code", "缺少 region_code 列（村级区划代码）");
        return Ok(Vec::new());
    };
    if period_at.is_none() && default_period.is_none() {
        report.problem(1, "period", "缺少 period 列，也没有 ?period= 参数");
        return Ok(Vec::new());
    }
    // Wide layout: each other column is an indicator, by code or by name.
    let current = onetable_store::registry::current(conn)?;
    let by_name: HashMap<String, String> =
        current.values().map(|r| (r.normalized_name.clone(), r.code.clone())).collect();
    let mut columns: Vec<(usize, String)> = Vec::new();
    if long.is_none() {
        for (i, name) in header.iter().enumerate() {
            if Some(i) == period_at || i == region_at || name.is_empty() || DESCRIPTIVE_COLUMNS.contains(&name.as_str())
            {
                continue;
            }
            match current
                .get(name)
                .map(|r| r.code.clone())
                .or_else(|| by_name.get(&similarity::normalize(name)).cloned())
            {
                Some(code) => columns.push((i, code)),
                None => report.problem(1, name, format!("列“{name}”既不是指标代码也不是指标名称")),
            }
        }
    }
    let mut cells = Vec::new();
    let mut periods: HashMap<String, Option<Period>> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        let line = index + 2;
        if row.iter().all(String::is_empty) {
            continue;
        }
        let get = |i: usize| row.get(i).map_or("", String::as_str);
        let region_text = get(region_at);
        let region = match RegionCode::parse(region_text) {
            Ok(code) if code.level() == RegionLevel::Village => code,
            Ok(_) => {
                report.problem(line, "region_code", format!("{region_text} 不是村级区划代码（应为 12 位）"));
                continue;
            }
            Err(e) => {
                report.problem(line, "region_code", e.to_string());
                continue;
            }
        };
        if !(who.reaches)(region) {
            report.problem(line, "region_code", format!("区划 {region} 不在您的管辖范围内"));
            continue;
        }
        let period = match period_at.map(get) {
            Some(text) if !text.is_empty() => {
                let parsed = periods.entry(text.to_owned()).or_insert_with(|| parse_period(text).ok());
                match parsed {
                    Some(p) => *p,
                    None => {
                        report.problem(line, "period", format!("期别“{text}”无效或太远"));
                        continue;
                    }
                }
            }
            _ => match default_period {
                Some(p) => p,
                None => {
                    report.problem(line, "period", "期别为空");
                    continue;
                }
            },
        };
        let mut push = |column: &str, code: String, value: &str| {
            if !value.is_empty() {
                cells.push(CellIn {
                    row: line,
                    column: column.to_owned(),
                    region,
                    period,
                    code,
                    value: value.to_owned(),
                });
            }
        };
        match long {
            Some((code_at, value_at)) => push("value", get(code_at).to_owned(), get(value_at)),
            None => {
                for (i, code) in &columns {
                    push(&header[*i], code.clone(), get(*i));
                }
            }
        }
    }
    check_values(conn, &cells, report)?;
    Ok(cells)
}

/// Every cell holding a control character or a direction override is a problem: such text would
/// be stored invisible (and PostgreSQL refuses NUL outright).
fn refuse_hidden_characters(table: &[Vec<String>], header: &[String], report: &mut ImportReport) {
    for (index, row) in table.iter().enumerate() {
        for (at, cell) in row.iter().enumerate() {
            if let Err(problem) = onetable_core::text::check_chars(cell) {
                let column = header
                    .get(at)
                    .filter(|h| !h.is_empty())
                    .cloned()
                    .unwrap_or_else(|| onetable_core::spreadsheet::column_letters(at));
                let column: String = column.chars().filter(|c| !c.is_control()).collect();
                report.problem(index + 1, &column, problem.to_string());
            }
        }
    }
}

fn check_values(conn: &mut DbConn, cells: &[CellIn], report: &mut ImportReport) -> Result<(), Problem> {
    let regions: Vec<RegionCode> = cells.iter().map(|c| c.region).collect::<HashSet<_>>().into_iter().collect();
    let mut known = HashSet::new();
    for chunk in regions.chunks(2_000) {
        known.extend(regions::find_many(conn, chunk)?.into_iter().filter(|r| r.valid_to.is_none()).map(|r| r.code));
    }
    let mut forms: HashMap<Period, Result<Form, String>> = HashMap::new();
    let mut seen = HashSet::new();
    for cell in cells {
        if !known.contains(&cell.region.to_string()) {
            report.problem(cell.row, "region_code", format!("区划 {} 不存在或已撤销", cell.region));
            continue;
        }
        let form = forms.entry(cell.period).or_insert_with(|| load_form(conn, cell.period).map_err(|e| e.describe()));
        let form = match form {
            Ok(form) => form,
            Err(message) => {
                report.problem(cell.row, "period", message.clone());
                continue;
            }
        };
        let Some(def) = form.entered.get(&cell.code) else {
            report.problem(cell.row, &cell.column, format!("{} 不是 {} 期表中可填报的指标", cell.code, cell.period));
            continue;
        };
        if !seen.insert((cell.region, cell.period, cell.code.clone())) {
            report.problem(cell.row, &cell.column, format!("{} {} 在文件中出现了不止一次", cell.region, cell.code));
            continue;
        }
        if let Err(message) = check_cell(def, &RawCell::Text(cell.value.clone())) {
            report.problem(cell.row, &cell.column, message);
        }
    }
    Ok(())
}

/// Counts (and with `write`, applies) one period's cells entry by entry.
fn plan(
    conn: &mut DbConn,
    period: Period,
    cells: &[CellIn],
    form: &Form,
    (actor, now): (&str, NaiveDateTime),
    report: &mut ImportReport,
    write: bool,
) -> Result<(), Problem> {
    let period_text = period.to_string();
    let mut by_region: BTreeMap<String, Vec<&CellIn>> = BTreeMap::new();
    for cell in cells {
        by_region.entry(cell.region.to_string()).or_default().push(cell);
    }
    let regions: Vec<String> = by_region.keys().cloned().collect();
    let entries: HashMap<String, EntryRow> = onetable_store::entries::entries_of(conn, &period_text, &regions)?
        .into_iter()
        .map(|e| (e.region_code.clone(), e))
        .collect();
    let mut stored: HashMap<(String, String), String> = HashMap::new();
    for v in store::values_of(conn, &period_text, &regions)? {
        stored.insert((v.region_code, v.indicator_code), v.value);
    }
    let mut new_entries = Vec::new();
    let (mut all_rows, mut all_audit) = (Vec::new(), Vec::new());
    for (region, cells) in &by_region {
        let status = entries.get(region).map_or(EntryStatus::Draft.as_str(), |e| e.status.as_str());
        if !status.parse::<EntryStatus>().is_ok_and(EntryStatus::editable) {
            report.rejected += cells.len();
            report.locked.push(LockedEntry {
                region_code: region.clone(),
                period: period_text.clone(),
                status: status.to_owned(),
                cells: cells.len(),
            });
            continue;
        }
        let (mut replaced, mut changes) = (Vec::new(), Vec::new());
        let revision = entries.get(region).map_or(1, |e| e.revision + 1);
        for cell in cells {
            let def = &form.entered[&cell.code];
            let value =
                check_cell(def, &RawCell::Text(cell.value.clone())).map_err(Problem::internal)?.unwrap_or_default();
            let old = stored.get(&(region.clone(), cell.code.clone()));
            match old {
                Some(old) if *old == value => {
                    report.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    report.updated += 1;
                    replaced.push(cell.code.clone());
                }
                None => report.inserted += 1,
            }
            changes.push((cell.code.clone(), old.cloned(), Some(value.clone())));
            all_rows.push(DataValueRow {
                region_code: region.clone(),
                indicator_code: cell.code.clone(),
                period: period_text.clone(),
                value,
                source: "import".to_owned(),
                revision,
                entered_by: actor.to_owned(),
                entered_at: now,
            });
        }
        if !write || changes.is_empty() {
            continue;
        }
        let stamp = EditStamp {
            region,
            period: &period_text,
            source: "import",
            actor,
            reason: Some("批量导入"),
            revision,
            at: now,
        };
        all_audit.push(NewValueAudit::of(&stamp, &changes)?);
        match entries.get(region) {
            Some(entry) if entry.status.parse::<EntryStatus>().is_ok_and(EntryStatus::editable) => {
                onetable_store::entries::touch_entry(conn, region, &period_text, actor, now)?;
            }
            _ => new_entries.push(EntryRow {
                region_code: region.clone(),
                period: period_text.clone(),
                status: EntryStatus::Draft.as_str().to_owned(),
                revision: 1,
                updated_by: actor.to_owned(),
                updated_at: now,
            }),
        }
        let change = crate::entries::Change { actor, source: "import", reason: Some("批量导入".to_owned()), now };
        crate::supplies::discrepancies::note(conn, region, &period_text, &changes, &change)?;
        crate::quality::follow_ups::note_changes(conn, region, &period_text, &changes, actor, now)?;
        store::delete_cells(conn, region, &period_text, &replaced)?;
    }
    if write {
        onetable_store::entries::insert_entries(conn, &new_entries)?;
        store::insert_cells(conn, &all_rows)?;
        onetable_store::entries::insert_audit(conn, &all_audit)?;
    }
    Ok(())
}

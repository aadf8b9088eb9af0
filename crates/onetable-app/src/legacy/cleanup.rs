//! The clean-up report (报表清理报告): many forms at once — several files, or a ZIP of them —
//! analyzed against the registry and counted: forms, columns, distinct needs, how many the
//! registry already has, which indicator each form asked for. The counts of each run are kept
//! for the burden page; the forms are not.

use std::io::{Cursor, Read};

use onetable_analytics::render::{to_csv, to_xlsx, Cell, Table};
use onetable_core::legacy::cleanup::{Cleanup, Tally};
use onetable_core::legacy::{self, Known};
use onetable_store::cleanups::{self as store, CleanupRow};
use onetable_store::connection::DbConn;
use onetable_store::registry;
use serde::Serialize;
use utoipa::ToSchema;

use super::analyze::{authorize, layout_problem};
use super::known;
use super::read::{form_limits, read_form};
use crate::actor::Actor;
use crate::imports::budget::Budget;
use crate::imports::read::Limits;
use crate::problem::{AppResult, Problem};
use crate::uploads::UploadTurn;
use crate::App;

/// Forms one run takes (a prefecture's clean-up is a few thousand; send them in parts).
pub const MAX_FORMS: usize = 2000;

const FORM_EXTENSIONS: [&str; 3] = [".xlsx", ".xls", ".csv"];

fn unreadable(message: impl Into<String>) -> Problem {
    Problem::unprocessable("unreadable_archive", message)
}

/// Whether a ZIP is an archive of forms rather than an XLSX workbook (which is a ZIP too).
fn is_archive_of_forms(bytes: &[u8]) -> bool {
    // An empty archive starts with its end record.
    (bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06"))
        && zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|a| a.index_for_name("[Content_Types].xml").is_none())
}

/// One distinct need of the batch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CleanupNeed {
    /// The indicator; none for a need the registry does not have.
    pub code: Option<String>,
    pub name: String,
    /// Forms asking for it, columns in all.
    pub forms: usize,
    pub columns: usize,
    pub files: Vec<String>,
}

/// One form of the batch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CleanupForm {
    pub file: String,
    pub title: Option<String>,
    pub columns: usize,
    pub matched: usize,
    pub new: usize,
    /// Why it could not be analyzed.
    pub error: Option<String>,
}

/// The clean-up report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CleanupReport {
    pub forms: usize,
    pub unreadable: usize,
    pub columns: usize,
    pub distinct_needs: usize,
    pub in_registry: usize,
    pub new_needs: usize,
    /// 12 张报表、92 列 → 60 项需求（指标库已有 44 项）.
    pub summary: String,
    /// Most asked first.
    pub needs: Vec<CleanupNeed>,
    pub per_form: Vec<CleanupForm>,
}

impl From<Cleanup> for CleanupReport {
    fn from(c: Cleanup) -> Self {
        Self {
            summary: format!(
                "{} 张报表、{} 列 → {} 项需求（指标库已有 {} 项，新增 {} 项）",
                c.forms, c.columns, c.distinct_needs, c.in_registry, c.new_needs
            ),
            forms: c.forms,
            unreadable: c.unreadable,
            columns: c.columns,
            distinct_needs: c.distinct_needs,
            in_registry: c.in_registry,
            new_needs: c.new_needs,
            needs: c
                .needs
                .into_iter()
                .map(|n| CleanupNeed { code: n.code, name: n.name, forms: n.forms, columns: n.columns, files: n.files })
                .collect(),
            per_form: c
                .per_form
                .into_iter()
                .map(|f| CleanupForm {
                    file: f.file,
                    title: f.title,
                    columns: f.columns,
                    matched: f.matched,
                    new: f.new,
                    error: f.error,
                })
                .collect(),
        }
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The 413 of a batch that spent its whole budget.
fn batch_too_large(limits: &Limits) -> Problem {
    Problem::too_large(
        "file_too_large",
        format!(
            "这批报表合计超过可读取的上限（解压后 {} MiB、{} 个单元格），请分批上传",
            limits.inflated_bytes / (1024 * 1024),
            limits.cells
        ),
    )
}

/// Counts what reading one form found and lets the form go; stops the batch once its budget is
/// spent.
fn add_form(tally: &mut Tally, file: &str, bytes: &[u8], registry: &[Known], budget: &mut Budget) -> AppResult<()> {
    if tally.forms() == MAX_FORMS {
        return Err(Problem::too_large("too_many_forms", format!("一次最多清理 {MAX_FORMS} 张报表，请分批上传")));
    }
    match read_form(bytes, budget).and_then(|sheet| legacy::analyze(&sheet, registry).map_err(|p| layout_problem(&p))) {
        Ok(analysis) => tally.add(file, Ok(&analysis)),
        Err(problem) => tally.add(file, Err(problem.message().to_owned())),
    }
    if budget.spent() {
        return Err(batch_too_large(budget.limits()));
    }
    Ok(())
}

/// Inflates one form of an archive within what a form may cost and the batch has left: the
/// form, or why it is refused (the bytes inflated are spent either way).
fn inflate(
    part: &mut zip::read::ZipFile<'_, Cursor<Vec<u8>>>,
    path: &str,
    budget: &mut Budget,
) -> AppResult<Result<Vec<u8>, String>> {
    let allowance = form_limits(budget).inflated_bytes;
    // Room for what the archive declares, within the allowance: no doubling past it while read.
    let declared = part.size().min(allowance + 1);
    let mut content = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    part.take(allowance + 1)
        .read_to_end(&mut content)
        .map_err(|e| unreadable(format!("ZIP 中的 {path} 无法解压：{e}")))?;
    budget.spend_inflated(content.len() as u64);
    if content.len() as u64 > allowance {
        return Ok(Err(format!("解压后超过 {} MiB，不像一张报表", allowance.div_ceil(1024 * 1024))));
    }
    Ok(Ok(content))
}

/// Analyzes every form of the uploads (each file, or each form in a ZIP of them: folders
/// walked; other files, macOS metadata and Office lock files skipped) one at a time, keeping
/// only its counts. All of it spends from one budget, `limits`: inflated bytes (of archives and
/// of workbooks' parts), cells, forms. A form that cannot be read is listed with why, not
/// refused: one bad file does not stop a clean-up. Needs no database.
///
/// # Errors
/// 422 no form at all, an archive that cannot be opened; 413 more than [`MAX_FORMS`] forms or
/// beyond the budget.
pub fn tally_batch(uploads: Vec<(String, Vec<u8>)>, registry: &[Known], limits: &Limits) -> AppResult<Cleanup> {
    let mut budget = Budget::new(*limits);
    let mut tally = Tally::default();
    for (name, bytes) in uploads {
        if !is_archive_of_forms(&bytes) {
            add_form(&mut tally, &name, &bytes, registry, &mut budget)?;
            continue;
        }
        let mut archive =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(format!("ZIP 无法打开：{e}")))?;
        for index in 0..archive.len() {
            let mut part = archive.by_index(index).map_err(|e| unreadable(format!("ZIP 无法打开：{e}")))?;
            let path = part.name().map(|n| n.into_owned()).unwrap_or_default();
            let base = path.rsplit('/').next().unwrap_or_default().to_owned();
            let lower = base.to_lowercase();
            if part.is_dir()
                || path.starts_with("__MACOSX/")
                || base.starts_with('.')
                || base.starts_with("~$")
                || !FORM_EXTENSIONS.iter().any(|e| lower.ends_with(e))
            {
                continue;
            }
            match inflate(&mut part, &path, &mut budget)? {
                Ok(content) => {
                    drop(part);
                    add_form(&mut tally, &path, &content, registry, &mut budget)?;
                }
                Err(why) => tally.add(&path, Err(why)),
            }
            if budget.spent() {
                return Err(batch_too_large(budget.limits()));
            }
        }
    }
    if tally.forms() == 0 {
        return Err(Problem::unprocessable("no_file", "没有找到报表文件（XLSX、XLS 或 CSV，或装有它们的 ZIP）"));
    }
    Ok(tally.finish())
}

/// Keeps a run's counts for the burden page: only a run that read at least one form.
fn record_run(conn: &mut DbConn, cleanup: &Cleanup, run_by: String, department: Option<String>) -> AppResult<()> {
    if cleanup.forms == cleanup.unreadable {
        return Ok(());
    }
    store::insert(
        conn,
        &CleanupRow {
            run_by,
            department,
            run_at: chrono::Utc::now().naive_utc(),
            forms: count(cleanup.forms),
            columns_total: count(cleanup.columns),
            distinct_needs: count(cleanup.distinct_needs),
            in_registry: count(cleanup.in_registry),
            new_needs: count(cleanup.new_needs),
        },
    )?;
    Ok(())
}

/// Analyzes a batch of forms against the registry ([`tally_batch`]) and keeps the run's counts
/// (by `run_by`, of `department`). The CLI's `onetable forms analyze DIR` runs this.
///
/// # Errors
/// As [`tally_batch`], and a database fault.
pub fn cleanup_batch(
    conn: &mut DbConn,
    uploads: Vec<(String, Vec<u8>)>,
    limits: &Limits,
    run_by: String,
    department: Option<String>,
) -> AppResult<CleanupReport> {
    let registry = known(&registry::current(conn)?);
    let cleanup = tally_batch(uploads, &registry, limits)?;
    record_run(conn, &cleanup, run_by, department)?;
    Ok(CleanupReport::from(cleanup))
}

/// A department or an admin cleans up a batch of forms, during its upload turn: the forms are
/// read without a database connection, one at a time; the run's counts are kept; audited.
///
/// # Errors
/// 403 other roles, and as [`tally_batch`].
pub async fn cleanup(
    app: &App,
    actor: &Actor,
    _turn: &UploadTurn,
    uploads: Vec<(String, Vec<u8>)>,
) -> AppResult<CleanupReport> {
    authorize(app, actor).await?;
    let limits = app.table_limits;
    let registry = known(&app.run(|conn| Ok(registry::current(conn)?)).await?);
    let cleanup = app.compute(move || tally_batch(uploads, &registry, &limits)).await?;
    let (run_by, department) = (actor.subject.clone(), actor.department.clone());
    let cleanup = app
        .write(move |conn| {
            record_run(conn, &cleanup, run_by, department)?;
            Ok(cleanup)
        })
        .await?;
    let report = CleanupReport::from(cleanup);
    let mut event = actor.event("forms.cleanup", None, "success");
    event.detail = Some(report.summary.clone());
    app.audit(event).await?;
    Ok(report)
}

fn needs_table(report: &CleanupReport) -> Table {
    Table {
        headers: ["指标代码", "需求名称", "指标库已有", "报表数", "列数", "报表"].map(str::to_owned).to_vec(),
        rows: report
            .needs
            .iter()
            .map(|n| {
                vec![
                    n.code.clone().map_or(Cell::Empty, Cell::Text),
                    Cell::Text(n.name.clone()),
                    Cell::Text((if n.code.is_some() { "是" } else { "否" }).to_owned()),
                    Cell::Number(n.forms as f64),
                    Cell::Number(n.columns as f64),
                    Cell::Text(n.files.join("；")),
                ]
            })
            .collect(),
    }
}

fn forms_table(report: &CleanupReport) -> Table {
    Table {
        headers: ["文件", "表名", "列数", "已有指标", "新需求", "问题"].map(str::to_owned).to_vec(),
        rows: report
            .per_form
            .iter()
            .map(|f| {
                vec![
                    Cell::Text(f.file.clone()),
                    f.title.clone().map_or(Cell::Empty, Cell::Text),
                    Cell::Number(f.columns as f64),
                    Cell::Number(f.matched as f64),
                    Cell::Number(f.new as f64),
                    f.error.clone().map_or(Cell::Empty, Cell::Text),
                ]
            })
            .collect(),
    }
}

/// The report as a spreadsheet: needs, then forms (XLSX, two sheets), or the needs as CSV.
///
/// # Errors
/// Only on an internal writer failure.
pub fn render(report: &CleanupReport, xlsx: bool) -> AppResult<Vec<u8>> {
    let needs = needs_table(report);
    if xlsx {
        let summary =
            Table { headers: vec!["报表清理".to_owned()], rows: vec![vec![Cell::Text(report.summary.clone())]] };
        to_xlsx(&[("汇总", &summary), ("需求", &needs), ("报表", &forms_table(report))]).map_err(Problem::internal)
    } else {
        to_csv(&needs).map_err(Problem::internal)
    }
}

/// The latest run's counts, for the burden page.
///
/// # Errors
/// A database fault.
pub fn latest(conn: &mut DbConn) -> AppResult<Option<CleanupRow>> {
    Ok(store::latest(conn)?)
}

//! Importing the Excel list a village already keeps (导入台账): the header matched to the
//! register's columns, every row checked, then all or nothing — new keys added, known ones
//! updated, the village's other records left as they are. Read off the async workers, without a
//! connection, with the same bounds as every upload.

use std::collections::{BTreeMap, HashMap};

use onetable_core::register::header::{find_header, GROUP};
use onetable_core::register::record::{check_values, ColumnProblem};
use onetable_core::register::RegisterDef;
use onetable_core::value::RawCell;
use onetable_core::RegionCode;
use onetable_store::registers::records::{self as store, NewRecordEvent, RecordChange, RecordEventInsert, RecordRow};
use onetable_store::DbConn;
use serde::Serialize;
use utoipa::ToSchema;

use super::record_view::values_of;
use super::record_write::{changes, key_hash, store as seal};
use super::records::{authorize, new_record, RecordInput};
use super::sealing::DataKeys;
use super::{derived, load};
use crate::actor::Actor;
use crate::entries::require_village;
use crate::imports::{read_table, FileFormat};
use crate::problem::{AppResult, Problem};
use crate::uploads::UploadTurn;
use crate::App;

/// At most this many refused values are listed (the file is refused whole either way).
const MAX_DETAILS: usize = 200;

/// A header cell and the column it was taken as.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct MatchedColumn {
    pub header: String,
    /// The column's code (`@group`: 村民小组).
    pub column: String,
    pub name: String,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterImportReport {
    pub register: String,
    pub village: String,
    pub dry_run: bool,
    /// Rows of records read (after the header).
    pub rows: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The village's open records the file does not name (left as they are).
    pub not_in_file: usize,
    pub matched: Vec<MatchedColumn>,
    /// Header cells taken as no column (序号, 备注…).
    pub ignored: Vec<String>,
}

/// One row of the file, checked.
struct Row {
    line: usize,
    group: Option<String>,
    values: BTreeMap<String, String>,
}

/// The rows of a file, checked, with what its header was taken as.
struct Parsed {
    rows: Vec<Row>,
    matched: Vec<MatchedColumn>,
    ignored: Vec<String>,
}

/// Reads the rows under the header into checked values.
fn parse(def: &RegisterDef, table: &[Vec<String>]) -> Result<Parsed, Problem> {
    let header = find_header(def, table).ok_or_else(|| {
        let names: Vec<&str> = def.columns.iter().map(|c| c.name.as_str()).collect();
        Problem::unprocessable(
            "header_not_found",
            format!("文件前 10 行中找不到{}的表头（应有 {} 等列）", def.name, names.join("、")),
        )
    })?;
    let header_cells = &table[header.row];
    let mut matched = Vec::new();
    let mut ignored = Vec::new();
    for (i, column) in header.columns.iter().enumerate() {
        let text = header_cells.get(i).cloned().unwrap_or_default();
        match column {
            Some(code) => matched.push(MatchedColumn {
                header: text,
                name: def.column(code).map_or_else(|| "村民小组".to_owned(), |c| c.name.clone()),
                column: code.clone(),
            }),
            None if !text.trim().is_empty() => ignored.push(text),
            None => {}
        }
    }
    let missing: Vec<&str> = def
        .columns
        .iter()
        .filter(|c| c.required && !header.columns.iter().any(|h| h.as_deref() == Some(c.code.as_str())))
        .map(|c| c.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Problem::unprocessable("validation_failed", format!("文件缺少必填列：{}", missing.join("、")))
            .with_detail(Some("header"), "missing_column", missing.join("、")));
    }
    let today = crate::time::china_today();
    let mut rows = Vec::new();
    let mut problems: Vec<(usize, ColumnProblem)> = Vec::new();
    let mut keys: HashMap<String, usize> = HashMap::new();
    for (offset, cells) in table.iter().enumerate().skip(header.row + 1) {
        let line = offset + 1;
        let texts: Vec<(&str, &str)> = header
            .columns
            .iter()
            .zip(cells.iter().map(String::as_str).chain(std::iter::repeat("")))
            .filter_map(|(column, text)| Some((column.as_deref()?, text.trim())))
            .collect();
        if texts.iter().all(|(_, text)| text.is_empty()) || texts.iter().any(|(_, t)| *t == "合计" || *t == "总计")
        {
            continue;
        }
        let group = texts.iter().find(|(c, _)| *c == GROUP).map(|(_, t)| (*t).to_owned()).filter(|t| !t.is_empty());
        let raw: BTreeMap<String, RawCell> = texts
            .iter()
            .filter(|(c, t)| *c != GROUP && !t.is_empty())
            .map(|(c, t)| ((*c).to_owned(), RawCell::Text((*t).to_owned())))
            .collect();
        match check_values(def, &raw, true, today) {
            Ok(checked) => {
                let values: BTreeMap<String, String> = checked.into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
                let key: Vec<&str> = def.key.iter().map(|k| values.get(k).map_or("", String::as_str)).collect();
                if let Some(first) = keys.insert(key.join("\u{1f}"), line) {
                    let names: Vec<String> =
                        def.key.iter().filter_map(|k| def.column(k)).map(|c| c.name.clone()).collect();
                    problems.push((
                        line,
                        ColumnProblem {
                            column: def.key.first().cloned().unwrap_or_default(),
                            code: "duplicate_in_file",
                            message: format!("{}与第 {first} 行相同", names.join("、")),
                        },
                    ));
                }
                rows.push(Row { line, group, values });
            }
            Err(found) => problems.extend(found.into_iter().map(|p| (line, p))),
        }
    }
    if !problems.is_empty() {
        let total = problems.len();
        let mut error = Problem::unprocessable(
            "import_rejected",
            format!("导入文件中有 {total} 处不符合要求的值，全部未导入，请按提示修改"),
        );
        for (line, p) in problems.into_iter().take(MAX_DETAILS) {
            let column = def.column(&p.column).map_or(p.column.clone(), |c| c.name.clone());
            error = error.with_detail(
                Some(&format!("第 {line} 行 {column}")),
                p.code,
                format!("第 {line} 行：{}", p.message),
            );
        }
        return Err(error);
    }
    Ok(Parsed { rows, matched, ignored })
}

/// What each row becomes.
enum Action {
    Insert(Row),
    Update(Box<RecordRow>, Row),
    Unchanged,
}

fn plan(
    conn: &mut DbConn,
    def: &RegisterDef,
    village: &str,
    rows: Vec<Row>,
    keys: &DataKeys,
) -> Result<(Vec<Action>, usize), Problem> {
    let existing: HashMap<String, RecordRow> = store::of_village(conn, &def.code, village)?
        .into_iter()
        .filter(|r| r.closed_on.is_none())
        .map(|r| (r.key_hash.clone(), r))
        .collect();
    let mut named = 0;
    let mut actions = Vec::with_capacity(rows.len());
    for row in rows {
        // Only the hash: nothing is sealed for a row that may turn out unchanged.
        let key_hash = key_hash(def, &row.values, keys);
        match existing.get(&key_hash) {
            None => actions.push(Action::Insert(row)),
            Some(record) => {
                named += 1;
                let same =
                    values_of(record, keys)? == row.values && (row.group.is_none() || row.group == record.group_name);
                actions.push(if same { Action::Unchanged } else { Action::Update(Box::new(record.clone()), row) });
            }
        }
    }
    Ok((actions, existing.len() - named))
}

/// The clerk imports the village's list.
///
/// # Errors
/// 403/404, 413 beyond the reading limits, 422 an unreadable file, no header, or refused values
/// (each with its row and column; nothing stored).
#[allow(clippy::too_many_arguments)]
pub async fn import(
    app: &App,
    actor: &Actor,
    _turn: &UploadTurn,
    register: String,
    village: RegionCode,
    format: FileFormat,
    bytes: Vec<u8>,
    dry_run: bool,
) -> AppResult<RegisterImportReport> {
    authorize(app, actor, "registers.imports", village, true).await?;
    import_as(app, actor, "registers.imports", register, village, format, bytes, dry_run).await
}

/// An import by an actor already allowed to write the village's list — its clerk, or the
/// department supplying the register ([`crate::supplies::records`]) — audited as `action`.
///
/// # Errors
/// As [`import`], after the authorization.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn import_as(
    app: &App,
    actor: &Actor,
    action: &'static str,
    register: String,
    village: RegionCode,
    format: FileFormat,
    bytes: Vec<u8>,
    dry_run: bool,
) -> AppResult<RegisterImportReport> {
    let keys = app.data_keys()?;
    let limits = app.table_limits;
    let table = app.compute(move || read_table(&bytes, format, &limits)).await?;
    let code = register.clone();
    let def = app
        .run(move |conn| {
            require_village(conn, village)?;
            load(conn, &code)
        })
        .await?;
    let shape = def.clone();
    let Parsed { rows, matched, ignored } = app.compute(move || parse(&shape, &table)).await?;
    let subject = actor.subject.clone();
    let mut event = actor.event(action, Some(format!("{register}/{village}")), "success");
    let village_text = village.to_string();
    let count = rows.len();
    let work = move |conn: &mut DbConn| {
        let started = std::time::Instant::now();
        let (actions, not_in_file) = plan(conn, &def, &village_text, rows, &keys)?;
        let planned = started.elapsed();
        let mut report = RegisterImportReport {
            register: def.code.clone(),
            village: village_text.clone(),
            dry_run,
            rows: count,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            not_in_file,
            matched,
            ignored,
        };
        let mut inserts = Vec::new();
        for action in actions {
            match action {
                Action::Insert(row) => {
                    report.inserted += 1;
                    inserts.push(row);
                }
                Action::Update(record, row) => {
                    report.updated += 1;
                    if !dry_run {
                        update(conn, &def, &record, &row, &keys, &subject)?;
                    }
                }
                Action::Unchanged => report.unchanged += 1,
            }
        }
        if !dry_run {
            insert_all(conn, &def, &village_text, inserts, &keys, &subject)?;
            let inserted = started.elapsed();
            event.detail =
                Some(format!("inserted={} updated={} unchanged={}", report.inserted, report.updated, report.unchanged));
            onetable_store::audit::record(conn, &event)?;
            derived::refresh(
                conn,
                &def.code,
                &village_text,
                crate::time::china_today(),
                &subject,
                chrono::Utc::now().naive_utc(),
            )?;
            // Where an import's write turn goes (measured in `onetable bench registers`).
            tracing::debug!(
                plan_ms = planned.as_millis(),
                insert_ms = (inserted - planned).as_millis(),
                recount_ms = (started.elapsed() - inserted).as_millis(),
                "register import written"
            );
        }
        Ok(report)
    };
    if dry_run {
        app.run(work).await
    } else {
        app.write(work).await
    }
}

/// The new rows, in a few statements: the records, then their first history entries (matched by
/// key, the rows coming back in no set order).
fn insert_all(
    conn: &mut DbConn,
    def: &RegisterDef,
    village: &str,
    rows: Vec<Row>,
    keys: &DataKeys,
    actor: &str,
) -> Result<(), Problem> {
    let now = chrono::Utc::now().naive_utc();
    let mut new = Vec::with_capacity(rows.len());
    let mut first = HashMap::with_capacity(rows.len());
    for row in rows {
        let input = RecordInput { group: row.group.clone(), ..RecordInput::default() };
        let record = new_record(def, village, &row.values, &input, keys, actor, now)?;
        first.insert(record.key_hash.clone(), row);
        new.push(record);
    }
    // In the order of the person index (a county-wide index of random hashes): its pages are then
    // written once each, in sequence; at random, a 5,000-row list into a county of 160,000
    // records took 1.9–2.9 s instead of 1.0–1.3 (docs/benchmarks.md).
    new.sort_by(|a, b| a.person_hash.cmp(&b.person_hash));
    let stored = store::insert_many(conn, &new)?;
    let events: Vec<RecordEventInsert> = stored
        .iter()
        .filter_map(|record| {
            let row = first.get(&record.key_hash)?;
            Some(RecordEventInsert {
                record_id: record.id,
                revision: 1,
                action: "import".into(),
                actor: actor.to_owned(),
                reason: Some(format!("导入（第 {} 行）", row.line)),
                changes: changes(def, &BTreeMap::new(), &row.values),
                occurred_at: now,
            })
        })
        .collect();
    store::record_events(conn, &events)?;
    if stored.len() >= ANALYZE_AFTER {
        store::analyze(conn)?;
    }
    Ok(())
}

/// Rows imported at once from which PostgreSQL's statistics are refreshed ([`store::analyze`]).
const ANALYZE_AFTER: usize = 1000;

fn update(
    conn: &mut DbConn,
    def: &RegisterDef,
    record: &RecordRow,
    row: &Row,
    keys: &DataKeys,
    actor: &str,
) -> Result<(), Problem> {
    let old = values_of(record, keys)?;
    let stored = seal(def, &row.values, keys)?;
    let now = chrono::Utc::now().naive_utc();
    let change = RecordChange {
        group_name: row.group.clone().or_else(|| record.group_name.clone()),
        key_hash: stored.key_hash,
        person_hash: stored.person_hash,
        plain: stored.plain,
        sealed: stored.sealed,
        opened_on: record.opened_on,
        closed_on: None,
        close_reason: None,
        revision: record.revision + 1,
        updated_by: actor.to_owned(),
        updated_at: now,
    };
    store::update(conn, record.id, record.revision, &change)?.ok_or_else(|| {
        Problem::conflict("concurrent_change", format!("记录 {} 正被同时修改，请重新导入", record.id))
    })?;
    store::record_event(
        conn,
        &NewRecordEvent {
            record_id: record.id,
            revision: record.revision + 1,
            action: "import",
            actor,
            reason: Some(&format!("导入（第 {} 行）", row.line)),
            changes: &changes(def, &old, &row.values),
            at: now,
        },
    )?;
    Ok(())
}

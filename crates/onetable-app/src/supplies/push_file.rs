//! Supplying from a file: the department's export as CSV or XLSX, one value a row under a header
//! — 区划代码 (region), 期别 (period), 指标代码 (indicator), 数值 (value), 截至日期 (as_of; or one
//! date for the whole file) — read with the imports' bounded reader off the async workers, then
//! checked and stored as a JSON push is (all or nothing, refusals naming the file's line).

use chrono::NaiveDate;

use super::push::{approved, store_rows, PushReport, SuppliedRow};
use crate::actor::Actor;
use crate::imports::read::{read_table, FileFormat, Table};
use crate::problem::{AppResult, Problem};
use crate::App;

/// The header names each column goes by.
const COLUMNS: [(&str, &[&str]); 5] = [
    ("region", &["region", "region_code", "区划代码", "村代码", "行政区划代码"]),
    ("period", &["period", "期别", "统计期别"]),
    ("indicator", &["indicator", "indicator_code", "指标代码"]),
    ("value", &["value", "数值", "值"]),
    ("as_of", &["as_of", "截至日期", "截至", "数据日期"]),
];

/// A day written as `2025-12-31`, `2025/12/31` or `2025.12.31`.
fn day(text: &str) -> Option<NaiveDate> {
    let text = text.trim().replace(['/', '.'], "-");
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(&text), "%Y-%m-%d").ok()
}

/// The file's rows as pushed rows; 422 naming the header or the line when one cannot be read.
fn rows_of(table: &Table, as_of: Option<NaiveDate>) -> Result<Vec<SuppliedRow>, Problem> {
    let refused = |field: &str, code: &'static str, message: String| {
        Problem::unprocessable("validation_failed", "供给文件不符合要求，全部未保存，请按提示修改").with_detail(
            Some(field),
            code,
            message,
        )
    };
    let Some(header) = table.first() else {
        return Err(refused("header", "empty_file", "文件是空的".to_owned()));
    };
    let mut at = [None; 5];
    for (slot, (_, names)) in at.iter_mut().zip(COLUMNS) {
        *slot = header.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
    }
    for (i, (name, names)) in COLUMNS.iter().enumerate().take(4) {
        if at[i].is_none() {
            return Err(refused("header", "missing_column", format!("缺少“{}”列（{name}）", names.join("／"))));
        }
    }
    if at[4].is_none() && as_of.is_none() {
        return Err(refused(
            "as_of",
            "required",
            "请在文件中给出“截至日期”列，或以 as_of 参数给出全文件的截至日期".to_owned(),
        ));
    }
    let cell = |row: &Vec<String>, i: usize| at[i].and_then(|c| row.get(c)).map_or("", |s| s.trim()).to_owned();
    let mut out = Vec::with_capacity(table.len().saturating_sub(1));
    for (n, row) in table.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = n + 1;
        let as_of = match at[4].map(|_| cell(row, 4)) {
            Some(text) if !text.is_empty() => day(&text).ok_or_else(|| {
                refused(
                    &format!("第 {line} 行 截至日期"),
                    "invalid_date",
                    format!("第 {line} 行：截至日期“{text}”应为 2025-12-31 这样的日期"),
                )
            })?,
            _ => as_of.ok_or_else(|| {
                refused(&format!("第 {line} 行 截至日期"), "required", format!("第 {line} 行：缺少截至日期"))
            })?,
        };
        out.push(SuppliedRow {
            region: cell(row, 0),
            period: cell(row, 1),
            indicator: cell(row, 2),
            value: serde_json::Value::String(cell(row, 3)),
            as_of,
        });
    }
    Ok(out)
}

/// The department pushes a CSV or XLSX file under its approved supply; `as_of` stands for every
/// line that gives no date of its own.
///
/// # Errors
/// As [`super::push::push`]; 413/422 for a file too large or unreadable, 422 a missing column.
pub async fn push_file(
    app: &App,
    actor: &Actor,
    id: i64,
    format: FileFormat,
    bytes: Vec<u8>,
    as_of: Option<NaiveDate>,
) -> AppResult<PushReport> {
    let supply = approved(app, actor, id).await?;
    let limits = app.table_limits;
    // Reading needs no connection: on the compute pool, bounded before it allocates.
    let rows = app.compute(move || rows_of(&read_table(&bytes, format, &limits)?, as_of)).await?;
    store_rows(app, actor, supply, rows, 2).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chinese_headers_and_dates_in_three_spellings() {
        let table: Table = vec![
            vec!["区划代码".into(), "期别".into(), "指标代码".into(), "数值".into(), "截至日期".into()],
            vec!["522301100200".into(), "2025".into(), "POP.REGISTERED".into(), "1268".into(), "2025/12/31".into()],
            vec![String::new(), String::new()],
            vec!["522301100201".into(), "2025".into(), "POP.REGISTERED".into(), "980".into(), String::new()],
        ];
        let rows = rows_of(&table, NaiveDate::from_ymd_opt(2025, 12, 30)).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].as_of, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
        assert_eq!(rows[1].as_of, NaiveDate::from_ymd_opt(2025, 12, 30).unwrap(), "the file's date");
        let missing: Table = vec![vec!["区划代码".into(), "期别".into(), "数值".into()]];
        let error = rows_of(&missing, None).unwrap_err();
        assert!(error.describe().contains("指标代码"), "{}", error.describe());
    }
}

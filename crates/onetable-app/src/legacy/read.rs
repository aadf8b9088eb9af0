//! A department's form file as a sheet: XLSX (merged ranges kept), XLS, or CSV, told apart by
//! their first bytes rather than by a name a user may have changed. Bad files get a Chinese answer
//! that says what is wrong with them.

use std::io::Cursor;

use calamine::{Data, Reader, Xls, XlsError, Xlsx, XlsxError};
use onetable_core::legacy::{Merge, Sheet};

use super::xls_cost;
use crate::imports::budget::Budget;
use crate::imports::read::{read_table, read_xlsx_sheet};
use crate::imports::{FileFormat, Limits};
use crate::problem::{Kind, Problem};

const ZIP: &[u8] = b"PK\x03\x04";
/// Compound file (OLE): an XLS workbook, or an XLSX encrypted with a password.
const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn not_a_table(message: impl Into<String>) -> Problem {
    Problem::unprocessable("not_a_table", message)
}

fn protected() -> Problem {
    Problem::unprocessable(
        "password_protected",
        "工作簿设有打开密码，无法读取：请在 Excel 中取消密码（文件→信息→保护工作簿）后重新上传",
    )
}

/// What one form may cost, whatever its request has left: a form is a few hundred columns by a
/// few thousand rows.
const PER_FORM: Limits = Limits { inflated_bytes: 64 * 1024 * 1024, parts: 10_000, cells: 1_000_000, area: 4_000_000 };

/// Merged ranges a form may have (a township merged over its villages, a header's parents).
const MAX_MERGES: usize = 100_000;

/// The limits of the next form: the request's budget left, within [`PER_FORM`].
pub(crate) fn form_limits(budget: &Budget) -> Limits {
    let left = budget.left();
    Limits {
        inflated_bytes: left.inflated_bytes.min(PER_FORM.inflated_bytes),
        parts: left.parts.min(PER_FORM.parts),
        cells: left.cells.min(PER_FORM.cells),
        area: left.area.min(PER_FORM.area),
    }
}

/// Reads the first sheet of the file, spending from the request's `budget`.
///
/// # Errors
/// 422 `not_a_table` (an image, a PDF, a Word file, text that is not UTF-8), `password_protected`,
/// `unreadable_file`; 413 beyond the budget or what one form may cost.
pub fn read_form(bytes: &[u8], budget: &mut Budget) -> Result<Sheet, Problem> {
    let limits = form_limits(budget);
    let read = read_sheet(bytes, &limits, budget);
    match &read {
        Ok(sheet) => budget.spend_cells(sheet.rows.iter().map(|r| r.iter().filter(|c| !c.is_empty()).count()).sum()),
        // Refused part way, it spent what it was allowed: the batch's next bomb starts poorer.
        Err(problem) if problem.kind() == Kind::TooLarge => {
            budget.spend_inflated(limits.inflated_bytes);
            budget.spend_cells(limits.cells);
        }
        Err(_) => {}
    }
    read
}

fn read_sheet(bytes: &[u8], limits: &Limits, budget: &mut Budget) -> Result<Sheet, Problem> {
    if bytes.is_empty() {
        return Err(not_a_table("文件是空的"));
    }
    let sheet = if bytes.starts_with(ZIP) {
        let sheet = read_xlsx_sheet(bytes, limits)?;
        budget.spend_inflated(sheet.inflated);
        let (top, left) = sheet.origin;
        Sheet { rows: sheet.rows, merges: relative(&sheet.merges, top, left)? }
    } else if bytes.starts_with(CFB) {
        read_xls(bytes, limits)?
    } else {
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if text.contains(&0) || std::str::from_utf8(text).is_err() {
            return Err(not_a_table(
                "无法识别的文件：请上传 Excel 表格（.xlsx 或 .xls）或 UTF-8 编码的 CSV（Excel 另存为“CSV UTF-8”）",
            ));
        }
        Sheet { rows: read_table(bytes, FileFormat::Csv, limits)?, merges: Vec::new() }
    };
    Ok(sheet)
}

fn too_large(message: String) -> Problem {
    Problem::too_large("file_too_large", message)
}

fn read_xls(bytes: &[u8], limits: &Limits) -> Result<Sheet, Problem> {
    // An encrypted XLSX is a compound file holding an `EncryptedPackage`: calamine's XLSX reader
    // recognises it.
    if let Err(XlsxError::Password) = Xlsx::new(Cursor::new(bytes)) {
        return Err(protected());
    }
    // calamine lays every sheet out when it opens the file: measure first (see `xls_cost`).
    let cost = xls_cost::measure(bytes)
        .map_err(|d| not_a_table(format!("XLS 无法打开（可能不是 Excel 工作簿，或文件已损坏：{}）", d.0)))?;
    if cost.laid_out > xls_cost::MAX_LAID_OUT || cost.cells > limits.cells as u64 {
        return Err(too_large(format!(
            "XLS 工作簿的表格范围过大（约 {} 万格）；请删去表格以外的内容，或另存为 .xlsx 后重新上传",
            cost.laid_out.div_ceil(10_000)
        )));
    }
    let mut book = match Xls::new(Cursor::new(bytes)) {
        Ok(book) => book,
        Err(XlsError::Password) => return Err(protected()),
        Err(e) => return Err(not_a_table(format!("XLS 无法打开（可能不是 Excel 工作簿）：{e}"))),
    };
    let first = book.sheet_names().first().cloned().ok_or_else(|| not_a_table("工作簿中没有工作表"))?;
    let range = book.worksheet_range(&first).map_err(|e| match e {
        XlsError::Password => protected(),
        other => not_a_table(format!("XLS 无法读取：{other}")),
    })?;
    let (height, width) = range.get_size();
    if (height as u64) * (width as u64) > limits.area {
        return Err(too_large(format!(
            "工作表“{first}”使用的范围过大：{height} 行 × {width} 列；请删去表格以外的内容后重新上传"
        )));
    }
    let (top, left) = range.start().unwrap_or((0, 0));
    let rows = range.rows().map(|r| r.iter().map(data_text).collect()).collect();
    let merges = relative(&book.merge_cells_by_sheet_name(&first).unwrap_or_default(), top, left)?;
    Ok(Sheet { rows, merges })
}

/// Merged ranges in the numbers of rows read from (`top`, `left`) on.
fn relative(merges: &[calamine::Dimensions], top: u32, left: u32) -> Result<Vec<Merge>, Problem> {
    if merges.len() > MAX_MERGES {
        return Err(too_large(format!(
            "工作表的合并单元格超过 {MAX_MERGES} 个，不像一张报表；请删去多余的合并后重新上传"
        )));
    }
    Ok(merges
        .iter()
        .filter(|d| d.end.0 >= top && d.end.1 >= left)
        .map(|d| Merge {
            top: d.start.0.saturating_sub(top) as usize,
            left: d.start.1.saturating_sub(left) as usize,
            bottom: (d.end.0 - top) as usize,
            right: (d.end.1 - left) as usize,
        })
        .collect())
}

/// A cell of an XLS sheet as text, whole numbers without a decimal point.
fn data_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        #[allow(clippy::cast_possible_truncation)]
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (*f as i64).to_string(),
        Data::String(s) => s.trim().to_owned(),
        other => other.to_string(),
    }
}

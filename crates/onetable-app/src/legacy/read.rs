//! A department's form file as a sheet: XLSX (merged ranges kept), XLS, or CSV, told apart by
//! their first bytes rather than by a name a user may have changed. Bad files get a Chinese answer
//! that says what is wrong with them.

use std::io::Cursor;

use calamine::{Data, Reader, Xls, XlsError, Xlsx, XlsxError};
use onetable_core::legacy::{Merge, Sheet};

use crate::imports::read::{read_table, read_xlsx_sheet};
use crate::imports::{FileFormat, Limits};
use crate::problem::Problem;

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

/// Reads the first sheet of the file.
///
/// # Errors
/// 422 `not_a_table` (an image, a PDF, a Word file, text that is not UTF-8), `password_protected`,
/// `unreadable_file`; 413 beyond `limits`.
pub fn read_form(bytes: &[u8], limits: &Limits) -> Result<Sheet, Problem> {
    if bytes.is_empty() {
        return Err(not_a_table("文件是空的"));
    }
    if bytes.starts_with(ZIP) {
        return read_xlsx(bytes, limits);
    }
    if bytes.starts_with(CFB) {
        return read_xls(bytes, limits);
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if text.contains(&0) || std::str::from_utf8(text).is_err() {
        return Err(not_a_table(
            "无法识别的文件：请上传 Excel 表格（.xlsx 或 .xls）或 UTF-8 编码的 CSV（Excel 另存为“CSV UTF-8”）",
        ));
    }
    Ok(Sheet { rows: read_table(bytes, FileFormat::Csv, limits)?, merges: Vec::new() })
}

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Sheet, Problem> {
    let sheet = read_xlsx_sheet(bytes, limits)?;
    let (top, left) = sheet.origin;
    Ok(Sheet { rows: sheet.rows, merges: relative(&sheet.merges, top, left) })
}

fn read_xls(bytes: &[u8], limits: &Limits) -> Result<Sheet, Problem> {
    // An encrypted XLSX is a compound file holding an `EncryptedPackage`: calamine's XLSX reader
    // recognises it.
    if let Err(XlsxError::Password) = Xlsx::new(Cursor::new(bytes)) {
        return Err(protected());
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
        return Err(Problem::too_large(
            "file_too_large",
            format!("工作表“{first}”使用的范围过大：{height} 行 × {width} 列；请删去表格以外的内容后重新上传"),
        ));
    }
    let (top, left) = range.start().unwrap_or((0, 0));
    let rows = range.rows().map(|r| r.iter().map(data_text).collect()).collect();
    let merges = relative(&book.merge_cells_by_sheet_name(&first).unwrap_or_default(), top, left);
    Ok(Sheet { rows, merges })
}

/// Merged ranges in the numbers of rows read from (`top`, `left`) on.
fn relative(merges: &[calamine::Dimensions], top: u32, left: u32) -> Vec<Merge> {
    merges
        .iter()
        .filter(|d| d.end.0 >= top && d.end.1 >= left)
        .map(|d| Merge {
            top: d.start.0.saturating_sub(top) as usize,
            left: d.start.1.saturating_sub(left) as usize,
            bottom: (d.end.0 - top) as usize,
            right: (d.end.1 - left) as usize,
        })
        .collect()
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

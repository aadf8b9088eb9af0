//! Reading an uploaded CSV or XLSX file into rows of text cells, with what it may cost bounded
//! before and while it is read.
//!
//! An XLSX file is a ZIP archive of XML parts. Its size on the wire says little: a 1 MB part can
//! inflate to 1 GiB, and calamine's `worksheet_range` allocates the whole rectangle between the
//! first and the last used cell, so one cell in the far corner of a sheet (`XFD1048576`) asks for
//! tens of gigabytes. So the archive is measured first (every part inflated into a counter, never
//! trusting the sizes it declares), and the sheet is then read cell by cell with calamine's
//! streaming reader, its used extent checked against [`Limits`] before any row is built.

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};
use onetable_core::spreadsheet::column_letters;

use crate::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

/// What one uploaded table may cost. The defaults hold a province's villages in wide layout
/// (20,000 rows × 100 indicators) with room to spare.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Inflated size of all parts of an XLSX archive together.
    pub inflated_bytes: u64,
    /// Parts in the archive.
    pub parts: usize,
    /// Non-empty cells (XLSX) or fields (CSV).
    pub cells: usize,
    /// Rows between the first and the last used one, times columns between the first and the last
    /// used one: the rows of text cells handed on are this large.
    pub area: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { inflated_bytes: 256 * 1024 * 1024, parts: 10_000, cells: 4_000_000, area: 8_000_000 }
    }
}

/// Rows of text cells, the first used row first, starting at the first used column.
pub type Table = Vec<Vec<String>>;

fn unreadable(message: impl Into<String>) -> Problem {
    Problem::unprocessable("unreadable_file", message)
}

fn too_large(message: impl Into<String>) -> Problem {
    Problem::too_large("file_too_large", message)
}

/// Reads the file into rows of text cells, header first.
///
/// # Errors
/// 422 when the file is not readable CSV (UTF-8) or XLSX; 413 when it exceeds `limits`.
pub fn read_table(bytes: &[u8], format: FileFormat, limits: &Limits) -> Result<Table, Problem> {
    match format {
        FileFormat::Csv => read_csv(bytes, limits),
        FileFormat::Xlsx => read_xlsx(bytes, limits),
    }
}

fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Table, Problem> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(text).is_err() {
        return Err(unreadable("CSV 文件须为 UTF-8 编码（Excel 另存为“CSV UTF-8”）"));
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text);
    let mut rows = Vec::new();
    let mut fields = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| unreadable(format!("CSV 无法解析：{e}")))?;
        fields += record.len();
        if fields > limits.cells {
            return Err(too_large(format!("CSV 文件的单元格超过 {} 个，请分成几个文件导入", limits.cells)));
        }
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

/// Inflates every part of the archive into a counter, refusing as soon as the total passes the
/// limit. The sizes the archive declares are not trusted: the bytes are counted. Answers the
/// total.
fn measure_archive(bytes: &[u8], limits: &Limits) -> Result<u64, Problem> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(format!("XLSX 无法打开：{e}")))?;
    if archive.len() > limits.parts {
        return Err(too_large(format!("XLSX 文件包含的部件超过 {} 个，无法导入", limits.parts)));
    }
    let mut total = 0u64;
    let mut sink = [0u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).map_err(|e| unreadable(format!("XLSX 无法打开：{e}")))?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        loop {
            let read = part.read(&mut sink).map_err(|e| unreadable(format!("XLSX 部件 {name} 无法解压：{e}")))?;
            if read == 0 {
                break;
            }
            total += read as u64;
            if total > limits.inflated_bytes {
                return Err(too_large(format!(
                    "XLSX 文件解压后超过 {} MiB（在部件 {name} 处），请删去多余内容或改用 CSV",
                    limits.inflated_bytes / (1024 * 1024)
                )));
            }
        }
    }
    Ok(total)
}

/// A used cell of the sheet: its zero-based position and its text.
struct UsedCell {
    row: u32,
    column: u32,
    text: String,
}

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Table, Problem> {
    Ok(read_xlsx_sheet(bytes, limits)?.rows)
}

/// The first sheet of an XLSX file as read: rows from the first used one, where they start on the
/// sheet, and its merged ranges (in the sheet's own row and column numbers).
pub struct XlsxSheet {
    pub rows: Table,
    /// Zero-based row and column of `rows[0][0]`.
    pub origin: (u32, u32),
    pub merges: Vec<calamine::Dimensions>,
    /// Bytes inflated measuring the archive.
    pub inflated: u64,
}

/// Reads the first sheet of an XLSX file with bounded cost, merged ranges included.
///
/// # Errors
/// 422 when it is not readable XLSX (a password-protected workbook says so), 413 beyond `limits`.
pub fn read_xlsx_sheet(bytes: &[u8], limits: &Limits) -> Result<XlsxSheet, Problem> {
    let inflated = measure_archive(bytes, limits)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(format!("XLSX 无法打开：{e}")))?;
    let first = book.sheet_names().first().cloned().ok_or_else(|| unreadable("XLSX 中没有工作表"))?;
    let mut reader = book.worksheet_cells_reader(&first).map_err(|e| unreadable(format!("XLSX 无法读取：{e}")))?;
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(|e| unreadable(format!("XLSX 无法读取：{e}")))? {
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if cells.len() >= limits.cells {
            return Err(too_large(format!(
                "工作表“{first}”的非空单元格超过 {} 个，请分成几个文件或改用 CSV",
                limits.cells
            )));
        }
        let (row, column) = cell.get_position();
        cells.push(UsedCell { row, column, text });
    }
    drop(reader);
    let origin = (cells.iter().map(|c| c.row).min().unwrap_or(0), cells.iter().map(|c| c.column).min().unwrap_or(0));
    let rows = into_rows(cells, limits, &first)?;
    let merges = book.merge_cells_by_sheet_name(&first).unwrap_or_default();
    Ok(XlsxSheet { rows, origin, merges, inflated })
}

/// Lays the used cells out as rows, after checking the extent they span.
fn into_rows(mut cells: Vec<UsedCell>, limits: &Limits, sheet: &str) -> Result<Table, Problem> {
    let Some(top) = cells.iter().map(|c| c.row).min() else { return Ok(Vec::new()) };
    let bottom = cells.iter().map(|c| c.row).max().unwrap_or(top);
    let left = cells.iter().map(|c| c.column).min().unwrap_or(0);
    let right = cells.iter().map(|c| c.column).max().unwrap_or(left);
    let (height, width) = (u64::from(bottom - top) + 1, u64::from(right - left) + 1);
    if height * width > limits.area {
        let far = cells.iter().find(|c| c.row == bottom || c.column == right).map_or_else(String::new, |c| {
            format!("（最远的单元格在 {}{}）", column_letters(c.column as usize), c.row + 1)
        });
        return Err(too_large(format!(
            "工作表“{sheet}”使用的范围过大：{height} 行 × {width} 列，超过 {} 格{far}；请删去表格以外的内容后重新上传",
            limits.area
        )));
    }
    cells.sort_by_key(|c| (c.row, c.column));
    let mut rows: Table = vec![Vec::new(); usize::try_from(height).unwrap_or(0)];
    for cell in cells {
        let row = &mut rows[(cell.row - top) as usize];
        let at = (cell.column - left) as usize;
        if row.len() <= at {
            row.resize(at + 1, String::new());
        }
        row[at] = cell.text;
    }
    Ok(rows)
}

fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        #[allow(clippy::cast_possible_truncation)]
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (*f as i64).to_string(),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        other => calamine::Data::from(other.clone()).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_with_too_many_fields_is_refused() {
        let limits = Limits { cells: 5, ..Limits::default() };
        let error = read_table(b"a,b,c\n1,2,3\n", FileFormat::Csv, &limits).err().map(|e| e.code());
        assert_eq!(error, Some("file_too_large"));
        assert!(read_table(b"a,b\n1,2\n", FileFormat::Csv, &limits).is_ok());
    }
}

//! Tables rendered as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<Option<f64>> for Cell {
    fn from(value: Option<f64>) -> Self {
        value.map_or(Self::Empty, Self::Number)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write XLSX: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("cannot build the data frame: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

/// Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection").
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as written to CSV: one that a spreadsheet would run as a formula
/// (`=HYPERLINK(…)`, `+1`, `@SUM`, …) gets a leading `'`, so Excel and WPS show it as text.
/// Numbers are written as numbers and never changed.
#[must_use]
pub fn neutralize(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_TRIGGERS) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Undoes [`neutralize`] on a cell read back from a CSV this server wrote.
#[must_use]
pub fn unneutralize(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_TRIGGERS) => rest,
        _ => text,
    }
}

/// UTF-8 CSV with a byte-order mark; text cells and headers [neutralised](neutralize).
///
/// # Errors
/// Only on an internal writer failure.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, RenderError> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(table.headers.iter().map(|h| neutralize(h).into_owned()))?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|cell| match cell {
            Cell::Text(text) => neutralize(text).into_owned(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }))?;
    }
    writer.into_inner().map_err(|e| RenderError::Csv(e.into_error().into()))
}

/// A workbook with one sheet per table, bold headers.
///
/// # Errors
/// Only on an internal writer failure.
pub fn to_xlsx(sheets: &[(&str, &Table)]) -> Result<Vec<u8>, RenderError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for (name, table) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name)?;
        for (col, header) in (0u16..).zip(&table.headers) {
            sheet.write_string_with_format(0, col, header, &bold)?;
        }
        for (row_index, row) in (1u32..).zip(&table.rows) {
            for (col, cell) in (0u16..).zip(row) {
                match cell {
                    Cell::Text(text) => {
                        sheet.write_string(row_index, col, text)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(row_index, col, *n)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};

    use super::*;

    fn table() -> Table {
        Table {
            headers: vec!["code".into(), "名称".into(), "max".into()],
            rows: vec![
                vec!["POP.REGISTERED".into(), "户籍人口".into(), Cell::Number(100_000.0)],
                vec!["X.Y".into(), "逗号,引号\"".into(), Cell::Empty],
            ],
        }
    }

    #[test]
    fn csv_has_a_bom_and_quotes_what_needs_it() {
        let bytes = to_csv(&table()).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "code,名称,max\nPOP.REGISTERED,户籍人口,100000\nX.Y,\"逗号,引号\"\"\",\n");
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_is_written_as_text_numbers_are_not_touched() {
        let table = Table {
            headers: vec!["=cmd".into(), "名称".into()],
            rows: vec![
                vec![r#"=HYPERLINK("http://x","食用菌")"#.into(), Cell::Number(-5.0)],
                vec!["+1".into(), "-1".into()],
                vec!["@SUM(A1)".into(), "\tx".into()],
                vec!["a=b".into(), "户籍人口".into()],
            ],
        };
        let bytes = to_csv(&table).unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "'=cmd,名称\n\"'=HYPERLINK(\"\"http://x\"\",\"\"食用菌\"\")\",-5\n'+1,'-1\n'@SUM(A1),'\tx\na=b,户籍人口\n"
        );
        assert_eq!(unneutralize("'=cmd"), "=cmd");
        assert_eq!(unneutralize("'abc"), "'abc");
    }

    #[test]
    fn xlsx_reads_back() {
        let bytes = to_xlsx(&[("indicators", &table())]).unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("indicators").unwrap();
        assert_eq!(range.get((0, 1)), Some(&Data::String("名称".into())));
        assert_eq!(range.get((1, 2)), Some(&Data::Float(100_000.0)));
    }
}

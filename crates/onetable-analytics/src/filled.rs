//! A department's own form, filled in (填好的原表): its title and note rows, its header with the
//! merged cells it had, then the rows, rendered as XLSX or CSV. What goes in the cells is decided
//! above; this only draws the sheet.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::render::{neutralize, Cell, RenderError};

/// A merged range, zero-based and inclusive, in the header's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub top: usize,
    pub left: usize,
    pub bottom: usize,
    pub right: usize,
}

/// The sheet to draw.
#[derive(Debug, Clone, Default)]
pub struct FilledForm {
    pub title_rows: Vec<String>,
    pub note_rows: Vec<String>,
    pub header: Vec<Vec<String>>,
    pub merges: Vec<Span>,
    pub body: Vec<Vec<Cell>>,
    /// Where the figures come from, under the rows.
    pub footer: Vec<String>,
    pub width: usize,
}

fn col(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

fn row(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

impl FilledForm {
    /// One sheet: title rows merged across the form and centred, the header bordered and merged
    /// as the form had it, numbers as numbers.
    ///
    /// # Errors
    /// Only on an internal writer failure.
    pub fn to_xlsx(&self, sheet_name: &str) -> Result<Vec<u8>, RenderError> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name)?;
        let last = col(self.width.max(1) - 1);
        let title = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center);
        let head =
            Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
        let cell = Format::new().set_border(FormatBorder::Thin);
        let mut at = 0usize;
        for text in &self.title_rows {
            if last > 0 {
                sheet.merge_range(row(at), 0, row(at), last, text, &title)?;
            } else {
                sheet.write_string_with_format(row(at), 0, text, &title)?;
            }
            at += 1;
        }
        for text in &self.note_rows {
            sheet.write_string(row(at), 0, text)?;
            at += 1;
        }
        let top = at;
        for (r, cells) in self.header.iter().enumerate() {
            for (c, text) in cells.iter().enumerate() {
                sheet.write_string_with_format(row(top + r), col(c), text, &head)?;
            }
        }
        for m in &self.merges {
            let text = self.header.get(m.top).and_then(|r| r.get(m.left)).map_or("", String::as_str);
            sheet.merge_range(row(top + m.top), col(m.left), row(top + m.bottom), col(m.right), text, &head)?;
        }
        at = top + self.header.len();
        for cells in &self.body {
            for (c, value) in cells.iter().enumerate() {
                match value {
                    Cell::Text(text) => sheet.write_string_with_format(row(at), col(c), text, &cell)?,
                    Cell::Number(n) => sheet.write_number_with_format(row(at), col(c), *n, &cell)?,
                    Cell::Empty => sheet.write_blank(row(at), col(c), &cell)?,
                };
            }
            at += 1;
        }
        for text in &self.footer {
            sheet.write_string(row(at), 0, text)?;
            at += 1;
        }
        sheet.set_column_range_width(0, last, 14)?;
        Ok(workbook.save_to_buffer()?)
    }

    /// UTF-8 CSV with a byte-order mark: the same rows, merged cells written once.
    ///
    /// # Errors
    /// Only on an internal writer failure.
    pub fn to_csv(&self) -> Result<Vec<u8>, RenderError> {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(b"\xEF\xBB\xBF".to_vec());
        let width = self.width.max(1);
        let line = |text: &str| {
            let mut cells = vec![neutralize(text).into_owned()];
            cells.resize(width, String::new());
            cells
        };
        for text in self.title_rows.iter().chain(&self.note_rows) {
            writer.write_record(line(text))?;
        }
        for cells in &self.header {
            writer.write_record(cells.iter().map(|c| neutralize(c).into_owned()))?;
        }
        for cells in &self.body {
            writer.write_record(cells.iter().map(|c| match c {
                Cell::Text(text) => neutralize(text).into_owned(),
                Cell::Number(n) => n.to_string(),
                Cell::Empty => String::new(),
            }))?;
        }
        for text in &self.footer {
            writer.write_record(line(text))?;
        }
        writer.into_inner().map_err(|e| RenderError::Csv(e.into_error().into()))
    }
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};

    use super::*;

    fn form() -> FilledForm {
        FilledForm {
            title_rows: vec!["外出务工统计表".to_owned()],
            note_rows: vec!["单位：人".to_owned()],
            header: vec![
                vec!["村名".to_owned(), "外出务工人数".to_owned(), String::new()],
                vec![String::new(), "省外".to_owned(), "省内县外".to_owned()],
            ],
            merges: vec![Span { top: 0, left: 0, bottom: 1, right: 0 }, Span { top: 0, left: 1, bottom: 0, right: 2 }],
            body: vec![vec!["纳晓村".into(), Cell::Number(12.0), Cell::Empty]],
            footer: vec!["数据来源：一张表".to_owned()],
            width: 3,
        }
    }

    #[test]
    fn xlsx_keeps_the_merged_header_and_numbers() {
        let bytes = form().to_xlsx("表").unwrap();
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("表").unwrap();
        assert_eq!(range.get((0, 0)), Some(&Data::String("外出务工统计表".into())));
        assert_eq!(range.get((2, 1)), Some(&Data::String("外出务工人数".into())));
        assert_eq!(range.get((3, 2)), Some(&Data::String("省内县外".into())));
        assert_eq!(range.get((4, 1)), Some(&Data::Float(12.0)));
        assert_eq!(book.merge_cells_by_sheet_name("表").unwrap().len(), 3, "the title and the header's two");
    }

    #[test]
    fn csv_writes_rows_in_order() {
        let text = String::from_utf8(form().to_csv().unwrap()[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "外出务工统计表,,\n单位：人,,\n村名,外出务工人数,\n,省外,省内县外\n纳晓村,12,\n数据来源：一张表,,\n"
        );
    }
}

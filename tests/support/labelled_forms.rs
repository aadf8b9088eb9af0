//! The labelled set of department forms (`tests/forms/labelled/*.form`): each file is a grid of
//! cells (`|` between cells, `<` merged with the cell to its left, `^` with the cell above) and,
//! for every data column, the indicator it asks for (`= CODE`, `= CODE ×factor` when the form's
//! unit differs from the registry's) or `= new`. Built into a real XLSX (merged ranges) or CSV.

use std::path::{Path, PathBuf};

/// What a column of a labelled form is.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    Code { code: String, factor: f64 },
    New,
}

#[derive(Debug, Clone)]
pub struct LabelledForm {
    pub file: String,
    pub xlsx: bool,
    pub grid: Vec<Vec<String>>,
    /// Header as the analysis writes it (levels joined by " / ") → what it is.
    pub expected: Vec<(String, Expected)>,
}

/// The folder of the labelled set (forms written here, alongside the analyzer).
#[must_use]
pub fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("forms/labelled")
}

/// The folder of public forms nobody here wrote (`tests/forms/external/README.md` names each
/// one's source): the analyzer is measured on them apart.
#[must_use]
pub fn external_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("forms/external")
}

/// The labelled form whose file name starts with `prefix` (`"02-"`).
///
/// # Panics
/// When there is none.
#[must_use]
pub fn named(prefix: &str) -> LabelledForm {
    all().into_iter().find(|f| f.file.starts_with(prefix)).unwrap_or_else(|| panic!("no labelled form {prefix}"))
}

/// The labelled form `prefix` analyzed by `app` as `token` (which must succeed).
///
/// # Panics
/// When the analysis is refused.
pub async fn analyzed(app: &crate::TestApp, token: &str, prefix: &str) -> serde_json::Value {
    let (status, body) =
        app.post_file(token, "/api/v1/forms/analyze", "application/octet-stream", named(prefix).bytes()).await;
    assert_eq!(status, 200, "{prefix}: {body}");
    body
}

/// Every labelled form, by file name.
#[must_use]
pub fn all() -> Vec<LabelledForm> {
    all_in(&folder())
}

/// Every external form, by file name.
#[must_use]
pub fn external() -> Vec<LabelledForm> {
    all_in(&external_folder())
}

/// A second held-out batch, gathered after every change above: its first look is the honest
/// number for a department's next form.
#[must_use]
pub fn held_out_again() -> Vec<LabelledForm> {
    all_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("forms/heldout2"))
}

/// Public forms gathered and labelled after the matcher's last change, by someone who had not
/// read it (`tests/forms/heldout/README.md`): the analyzer's first look at them was measured
/// before anything was changed for them.
#[must_use]
pub fn held_out() -> Vec<LabelledForm> {
    all_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("forms/heldout"))
}

fn all_in(folder: &Path) -> Vec<LabelledForm> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("labelled form")
        .map(|e| e.expect("labelled form").path())
        .filter(|p| p.extension().is_some_and(|e| e == "form"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            parse(
                &p.file_name().expect("labelled form").to_string_lossy(),
                &std::fs::read_to_string(p).expect("labelled form"),
            )
        })
        .collect()
}

fn parse(file: &str, text: &str) -> LabelledForm {
    let (mut xlsx, mut grid, mut expected) = (true, Vec::new(), Vec::new());
    let mut section = "";
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(format) = line.strip_prefix("format:") {
            xlsx = format.trim() == "xlsx";
            continue;
        }
        if line == "grid:" || line == "expect:" {
            section = line;
            continue;
        }
        match section {
            "grid:" => grid.push(line.split('|').map(|c| c.trim().to_owned()).collect()),
            "expect:" => {
                let (header, what) = line.rsplit_once(" = ").unwrap_or_else(|| panic!("{file}: {line}"));
                let what = what.trim();
                let expected_here = if what == "new" {
                    Expected::New
                } else {
                    let (code, factor) = what.split_once(" ×").unwrap_or((what, "1"));
                    Expected::Code { code: code.to_owned(), factor: factor.parse().expect("labelled form") }
                };
                expected.push((header.trim().to_owned(), expected_here));
            }
            _ => panic!("{file}: a line outside grid: and expect: {line}"),
        }
    }
    LabelledForm { file: file.to_owned(), xlsx, grid, expected }
}

fn is_marker(text: &str) -> bool {
    text == "<" || text == "^"
}

impl LabelledForm {
    /// The file a department would upload.
    #[must_use]
    pub fn bytes(&self) -> Vec<u8> {
        if self.xlsx {
            self.to_xlsx()
        } else {
            self.to_csv()
        }
    }

    fn cell(&self, r: usize, c: usize) -> &str {
        self.grid.get(r).and_then(|row| row.get(c)).map_or("", String::as_str)
    }

    fn to_csv(&self) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in &self.grid {
            writer.write_record(row.iter().map(|c| if is_marker(c) { "" } else { c.as_str() })).expect("labelled form");
        }
        writer.into_inner().expect("labelled form")
    }

    fn to_xlsx(&self) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let plain = rust_xlsxwriter::Format::new();
        for (r, row) in self.grid.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if is_marker(text) {
                    continue;
                }
                let mut right = c;
                while self.cell(r, right + 1) == "<" {
                    right += 1;
                }
                let mut bottom = r;
                while (c..=right).all(|col| self.cell(bottom + 1, col) == "^") && bottom + 1 < self.grid.len() {
                    bottom += 1;
                }
                let (row_u, col_u) =
                    (u32::try_from(r).expect("labelled form"), u16::try_from(c).expect("labelled form"));
                if right > c || bottom > r {
                    let (last_row, last_col) =
                        (u32::try_from(bottom).expect("labelled form"), u16::try_from(right).expect("labelled form"));
                    sheet.merge_range(row_u, col_u, last_row, last_col, text, &plain).expect("labelled form");
                } else if let Ok(number) = text.parse::<f64>() {
                    sheet.write_number(row_u, col_u, number).expect("labelled form");
                } else if !text.is_empty() {
                    sheet.write_string(row_u, col_u, text).expect("labelled form");
                }
            }
        }
        book.save_to_buffer().expect("labelled form")
    }
}

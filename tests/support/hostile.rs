#![allow(clippy::expect_used)]
//! Small files that cost a careless reader a great deal (what an outside tester sent, issue 26):
//! a workbook whose one long header is merged over millions of cells, ZIPs that inflate a
//! thousandfold, an old-style XLS whose two cells span a whole sheet. Each is written by hand,
//! byte by byte, as an attacker would: an honest library would not write them.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A minimal XLSX of one sheet: `cells` as inline strings at their references (`A1`), the
/// merged ranges as written (`A1:ALL8000`).
#[must_use]
pub fn raw_xlsx(cells: &[(&str, &str)], merges: &[&str]) -> Vec<u8> {
    let mut rows: std::collections::BTreeMap<u32, Vec<(&str, &str)>> = std::collections::BTreeMap::new();
    for (reference, text) in cells {
        let row: u32 = reference.trim_start_matches(|c: char| c.is_ascii_alphabetic()).parse().expect("a row");
        rows.entry(row).or_default().push((reference, text));
    }
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (row, cells) in rows {
        sheet.push_str(&format!(r#"<row r="{row}">"#));
        for (reference, text) in cells {
            sheet.push_str(&format!(r#"<c r="{reference}" t="inlineStr"><is><t>{}</t></is></c>"#, escape(text)));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData>");
    if !merges.is_empty() {
        sheet.push_str(&format!(r#"<mergeCells count="{}">"#, merges.len()));
        for m in merges {
            sheet.push_str(&format!(r#"<mergeCell ref="{m}"/>"#));
        }
        sheet.push_str("</mergeCells>");
    }
    sheet.push_str("</worksheet>");
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(name, deflated()).expect("zip entry");
        zip.write_all(text.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

/// The tester's first file: A1 holds `chars` characters, merged over `A1:ALL{rows}` (1,000
/// columns: 8 million cells for 8,000 rows), with one more cell at the range's last so the
/// sheet's extent is the whole range.
#[must_use]
pub fn header_merged_over_millions(chars: usize, rows: u32) -> Vec<u8> {
    raw_xlsx(&[("A1", &"长".repeat(chars)), (&format!("ALL{rows}"), "x")], &[&format!("A1:ALL{rows}")])
}

/// A ZIP of `forms` entries named like forms (`表1.xlsx`…), each `mib` MiB of zeros: deflate
/// packs them about a thousandfold.
#[must_use]
pub fn zip_bomb(forms: usize, mib: usize) -> Vec<u8> {
    let zeros = vec![0u8; 1024 * 1024];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..forms {
        zip.start_file(format!("表{i}.xlsx"), deflated().compression_level(Some(9))).expect("zip entry");
        for _ in 0..mib {
            zip.write_all(&zeros).expect("zip write");
        }
    }
    zip.finish().expect("zip").into_inner()
}

/// One BIFF8 record.
fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = typ.to_le_bytes().to_vec();
    out.extend(u16::try_from(data.len()).expect("a short record").to_le_bytes());
    out.extend(data);
    out
}

fn bof(kind: u16) -> Vec<u8> {
    let mut data = 0x0600u16.to_le_bytes().to_vec();
    data.extend(kind.to_le_bytes());
    data.extend([0u8; 12]);
    record(0x0809, &data)
}

/// A cell of an old-style XLS.
#[derive(Debug, Clone, Copy)]
pub enum XlsCell<'a> {
    Number(f64),
    Text(&'a str),
}

/// An old-style XLS (BIFF8 in a compound file) of one sheet named `Sheet1`: a NUMBER or LABEL
/// record per cell (zero-based row and column), and a DIMENSIONS record spanning them.
#[must_use]
pub fn xls(cells: &[(u16, u16, XlsCell<'_>)]) -> Vec<u8> {
    let rows = cells.iter().map(|c| u32::from(c.0) + 1).max().unwrap_or(0);
    let cols = cells.iter().map(|c| u32::from(c.1) + 1).max().unwrap_or(0);
    xls_declaring(cells, [0, rows, 0, cols])
}

/// As [`xls`], with the DIMENSIONS record saying what it is told: first row, row after the
/// last, first column, column after the last.
#[must_use]
pub fn xls_declaring(cells: &[(u16, u16, XlsCell<'_>)], dimensions: [u32; 4]) -> Vec<u8> {
    let [first_row, end_row, first_col, end_col] = dimensions;
    let mut sheet = bof(0x0010);
    let mut dims = first_row.to_le_bytes().to_vec();
    dims.extend(end_row.to_le_bytes());
    dims.extend(u16::try_from(first_col).expect("a column").to_le_bytes());
    dims.extend(u16::try_from(end_col).expect("a column").to_le_bytes());
    dims.extend([0, 0]);
    sheet.extend(record(0x0200, &dims));
    for (row, col, value) in cells {
        let mut data = row.to_le_bytes().to_vec();
        data.extend(col.to_le_bytes());
        data.extend(0u16.to_le_bytes());
        match value {
            XlsCell::Number(n) => {
                data.extend(n.to_le_bytes());
                sheet.extend(record(0x0203, &data));
            }
            XlsCell::Text(text) => {
                let units: Vec<u16> = text.encode_utf16().collect();
                data.extend(u16::try_from(units.len()).expect("short text").to_le_bytes());
                data.push(1);
                data.extend(units.iter().flat_map(|u| u.to_le_bytes()));
                sheet.extend(record(0x0204, &data));
            }
        }
    }
    sheet.extend(record(0x000A, &[]));

    let name = b"Sheet1";
    let boundsheet_len = 4 + 4 + 4 + name.len();
    let globals_len = bof(0x0005).len() + boundsheet_len + record(0x000A, &[]).len();
    let mut boundsheet = u32::try_from(globals_len).expect("small").to_le_bytes().to_vec();
    boundsheet.extend([0u8, 0u8, u8::try_from(name.len()).expect("short"), 0u8]);
    boundsheet.extend(name);
    let mut stream = bof(0x0005);
    stream.extend(record(0x0085, &boundsheet));
    stream.extend(record(0x000A, &[]));
    assert_eq!(stream.len(), globals_len);
    stream.extend(sheet);

    // Version 3 (512-byte sectors), as Excel 97–2003 writes it.
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())).expect("compound file");
    let mut out = file.create_stream("/Workbook").expect("stream");
    out.write_all(&stream).expect("write");
    drop(out);
    file.flush().expect("flush");
    file.into_inner().into_inner()
}

//! What an old-style XLS workbook will cost calamine to open, read from its records first.
//!
//! calamine lays out every sheet of an XLS whole while it opens the file: it reserves room for
//! the extent a sheet's DIMENSIONS record declares, then builds the rectangle from the first to
//! the last cell, for values and again for formulas. A 5.6 KB file declaring A1:IV65536 cost
//! 1 GB that way before any size check could run. So the workbook stream is walked here as
//! calamine will walk it (the sheets the BOUNDSHEET records point at, nested chart substreams
//! skipped), and the cells it would lay out are added up across all sheets.

use std::io::{Cursor, Read};

/// Cells calamine may lay out for one XLS: declared extents, value and formula rectangles
/// together. At ~40 bytes a cell this is ~160 MB, a form of a hundred thousand rows.
pub const MAX_LAID_OUT: u64 = 4_000_000;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const MULRK: u16 = 0x00BD;
/// Records holding one cell, its row and column first: NUMBER, LABEL, RSTRING, BOOLERR, RK,
/// LABELSST, FORMULA.
const CELLS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];
const FORMULA: u16 = 0x0006;

/// What the workbook will cost to open.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct XlsCost {
    /// Cell records (a MULRK counts each of its cells).
    pub cells: u64,
    /// Cells calamine lays out: see [`MAX_LAID_OUT`].
    pub laid_out: u64,
}

/// Why the workbook cannot be measured: calamine would fail on it too, or worse.
#[derive(Debug, PartialEq, Eq)]
pub struct Damaged(pub &'static str);

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    data.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The records from `at` on, as calamine's reader cuts them (it stops at a short record).
fn records(stream: &[u8], at: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream.get(at..).unwrap_or_default();
    std::iter::from_fn(move || {
        let typ = u16_at(rest, 0)?;
        let len = usize::from(u16_at(rest, 2)?);
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((typ, data))
    })
}

/// The smallest rectangle holding some cells.
#[derive(Default)]
struct Extent(Option<(u32, u32, u32, u32)>);

impl Extent {
    fn add(&mut self, row: u32, first: u32, last: u32) {
        self.0 = Some(match self.0 {
            None => (row, row, first, last),
            Some((top, bottom, left, right)) => (top.min(row), bottom.max(row), left.min(first), right.max(last)),
        });
    }

    fn area(&self) -> u64 {
        self.0.map_or(0, |(top, bottom, left, right)| {
            (u64::from(bottom - top) + 1) * (u64::from(right.max(left) - left) + 1)
        })
    }
}

/// The cells a DIMENSIONS record makes calamine reserve room for.
fn declared(data: &[u8]) -> Result<u64, Damaged> {
    let (first_row, end_row, first_col, end_col) = match data.len() {
        10 => (
            u16_at(data, 0).map(u32::from),
            u16_at(data, 2).map(u32::from),
            u16_at(data, 4).map(u32::from),
            u16_at(data, 6).map(u32::from),
        ),
        14 | 16 => (u32_at(data, 0), u32_at(data, 4), u16_at(data, 8).map(u32::from), u16_at(data, 10).map(u32::from)),
        _ => return Err(Damaged("DIMENSIONS 记录长度不对")),
    };
    let (Some(first_row), Some(end_row), Some(mut first_col), Some(end_col)) = (first_row, end_row, first_col, end_col)
    else {
        return Err(Damaged("DIMENSIONS 记录不完整"));
    };
    if first_col > 0xFF || end_col < first_col {
        first_col = 0;
    }
    if end_row == 0 || end_col == 0 {
        return Ok(1);
    }
    // calamine subtracts without checking: a start past the end would wrap around.
    if end_row - 1 < first_row || end_col - 1 < first_col {
        return Err(Damaged("DIMENSIONS 记录的起点在终点之后"));
    }
    Ok(u64::from(end_row - first_row) * u64::from(end_col - first_col))
}

/// One sheet's substream from its BOF at `at`, as calamine walks it.
fn sheet(stream: &[u8], at: usize) -> Result<XlsCost, Damaged> {
    let (mut values, mut formulas, mut cost) = (Extent::default(), Extent::default(), XlsCost::default());
    let (mut seen_bof, mut depth) = (false, 0usize);
    for (typ, data) in records(stream, at) {
        if depth > 0 {
            match typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            DIMENSIONS => cost.laid_out += declared(data)?,
            MULRK => {
                let (Some(row), Some(first), Some(last)) =
                    (u16_at(data, 0), u16_at(data, 2), data.len().checked_sub(2).and_then(|at| u16_at(data, at)))
                else {
                    return Err(Damaged("MULRK 记录不完整"));
                };
                if last < first {
                    return Err(Damaged("MULRK 记录的列不对"));
                }
                values.add(u32::from(row), u32::from(first), u32::from(last));
                cost.cells += u64::from(last - first) + 1;
            }
            t if CELLS.contains(&t) => {
                let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) else {
                    return Err(Damaged("单元格记录不完整"));
                };
                let (row, col) = (u32::from(row), u32::from(col));
                values.add(row, col, col);
                if t == FORMULA {
                    formulas.add(row, col, col);
                }
                cost.cells += 1;
            }
            EOF => break,
            _ => {}
        }
    }
    cost.laid_out += values.area() + formulas.area();
    Ok(cost)
}

/// Measures the workbook in `bytes` (a compound file): every sheet calamine will open.
///
/// # Errors
/// When the compound file or its workbook stream cannot be read, or a record would make
/// calamine's arithmetic wrap.
pub fn measure(bytes: &[u8]) -> Result<XlsCost, Damaged> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| Damaged("复合文档无法打开"))?;
    let mut stream = Vec::new();
    let opened = file.open_stream("/Workbook").or_else(|_| file.open_stream("/Book"));
    let opened = opened.map_err(|_| Damaged("没有 Workbook 数据流"))?;
    // A stream is no longer than the file that holds it.
    let within = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    opened.take(within).read_to_end(&mut stream).map_err(|_| Damaged("Workbook 数据流无法读取"))?;
    let mut positions = Vec::new();
    for (typ, data) in records(&stream, 0) {
        match typ {
            BOUNDSHEET => positions.push(u32_at(data, 0).ok_or(Damaged("BOUNDSHEET 记录不完整"))?),
            EOF => break,
            _ => {}
        }
    }
    let mut total = XlsCost::default();
    for at in positions {
        let cost = sheet(&stream, usize::try_from(at).unwrap_or(usize::MAX))?;
        total.cells += cost.cells;
        total.laid_out += cost.laid_out;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend(u16::try_from(data.len()).unwrap_or(0).to_le_bytes());
        out.extend(data);
        out
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend(col.to_le_bytes());
        data.extend([0u8; 10]);
        record(0x0203, &data)
    }

    #[test]
    fn two_far_cells_lay_out_the_rectangle_between_them() {
        let mut sheet_stream = record(BOF, &[0; 16]);
        let mut dims = 0u32.to_le_bytes().to_vec();
        dims.extend(65_536u32.to_le_bytes());
        dims.extend(0u16.to_le_bytes());
        dims.extend(256u16.to_le_bytes());
        dims.extend([0, 0]);
        sheet_stream.extend(record(DIMENSIONS, &dims));
        sheet_stream.extend(number(0, 0));
        sheet_stream.extend(number(65_535, 255));
        sheet_stream.extend(record(EOF, &[]));
        let cost = sheet(&sheet_stream, 0).map_err(|d| d.0).unwrap_or_default();
        assert_eq!(cost.cells, 2);
        assert_eq!(cost.laid_out, 2 * 65_536 * 256);
    }

    #[test]
    fn a_start_past_the_end_is_damage_not_a_wrap() {
        let mut dims = 100u32.to_le_bytes().to_vec();
        dims.extend(1u32.to_le_bytes());
        dims.extend([0, 0, 1, 0, 0, 0]);
        assert!(declared(&dims).is_err());
    }
}

//! What a row of a form is, from its cells alone: a note (填表说明, 单位：万元), a 表号 block, a
//! column numbering (甲 乙 1 2 3), a row of units, or data (numbers as departments write them).

use super::units;

const NOTE_PREFIXES: [&str; 24] = [
    "填表说明",
    "说明",
    "注：",
    "注:",
    "备注：",
    "单位：",
    "单位:",
    "填报单位",
    "填表单位",
    "填报人",
    "填表人",
    "制表",
    "审核",
    "负责人",
    "联系电话",
    "填报日期",
    "填表日期",
    "金额单位",
    "面积单位",
    "统计时间",
    "统计时点",
    "数据截至",
    "报送",
    "计量单位",
];

pub(super) fn is_note(text: &str) -> bool {
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c.is_ascii_digit() || "、.．".contains(c));
    NOTE_PREFIXES.iter().any(|p| text.starts_with(p))
}

/// 表号：国人口统2表, 制表机关：…, 批准文号：…, 有效期至：… (spaced out as 表 号 on many forms).
pub(super) fn is_form_mark(text: &str) -> bool {
    const MARKS: [&str; 10] = [
        "表号",
        "制表机关",
        "制定机关",
        "批准机关",
        "批准文号",
        "备案机关",
        "备案文号",
        "有效期",
        "文号",
        "统计调查项目",
    ];
    let bare: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    MARKS.iter().any(|m| bare.starts_with(m))
}

/// A number as a data cell holds it: 1,234.5, -3, 12%.
pub(super) fn is_number(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['%', '％']).replace(',', "");
    !t.is_empty() && t.parse::<f64>().is_ok()
}

/// The decimal places of a number as written (`12.50` 2, `900` 0), at most 6; none for text.
pub(super) fn decimal_places(text: &str) -> Option<u8> {
    let t = text.trim();
    if !is_number(t) {
        return None;
    }
    let places = t.trim_end_matches(['%', '％']).split_once('.').map_or(0, |(_, d)| d.len());
    Some(u8::try_from(places.min(6)).unwrap_or(6))
}

/// 甲 乙 1 2 3 or (1) (2): the row some forms put under the header to number its columns, at
/// most one cell of it naming the row (栏次, 序号).
pub(super) fn is_column_numbering(cells: &[&str]) -> bool {
    let numbered = cells
        .iter()
        .filter(|c| {
            let t = c.trim().trim_start_matches(['(', '（']).trim_end_matches([')', '）']);
            t.parse::<u32>().is_ok() || matches!(t, "甲" | "乙" | "丙" | "丁" | "A" | "B" | "C")
        })
        .count();
    let named = cells.iter().filter(|c| matches!(c.trim(), "栏次" | "行次" | "序号" | "列号" | "代码")).count();
    cells.len() >= 2 && numbered >= 2 && numbered + named.min(1) == cells.len()
}

/// 计量单位 | 户 | 人 | 万元: a row under the header that gives each column its unit, and
/// nothing else (at most one cell saying so).
pub(super) fn is_unit_row(cells: &[&str]) -> bool {
    let units = cells.iter().filter(|c| units::is_unit(c.trim())).count();
    let named = cells.iter().filter(|c| matches!(c.trim(), "计量单位" | "单位")).count();
    units >= 1 && units + named.min(1) == cells.len()
}

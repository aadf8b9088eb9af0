//! Units (计量单位) as departments write them in a form, and the factor that turns a value in one
//! into a value in another of the same kind: 元 → 万元 is 0.0001, 公顷 → 亩 is 15. People and
//! households are different kinds: 人 → 户 has no factor.

use serde::Serialize;

/// What a unit measures. Two units convert only within one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Money,
    Area,
    Mass,
    Length,
    Persons,
    Households,
    /// Things counted one by one: 个, 处, 所, 家 (villager groups, cooperatives, clinics).
    Items,
    Livestock,
    Percent,
    /// A yes/no fact, not a quantity: 有村卫生室, 是否通硬化路.
    YesNo,
}

/// One spelling, its kind and its size in the kind's base unit.
struct Known {
    spelling: &'static str,
    kind: UnitKind,
    size: f64,
}

const fn unit(spelling: &'static str, kind: UnitKind, size: f64) -> Known {
    Known { spelling, kind, size }
}

/// Longest spellings first where one contains another (万元 before 元), so that a scan from the
/// start finds the whole unit.
const KNOWN: [Known; 31] = [
    unit("亿元", UnitKind::Money, 1e8),
    unit("万元", UnitKind::Money, 1e4),
    unit("千元", UnitKind::Money, 1e3),
    unit("元", UnitKind::Money, 1.0),
    unit("平方公里", UnitKind::Area, 1500.0),
    unit("平方千米", UnitKind::Area, 1500.0),
    unit("平方米", UnitKind::Area, 0.0015),
    unit("万亩", UnitKind::Area, 1e4),
    unit("公顷", UnitKind::Area, 15.0),
    unit("亩", UnitKind::Area, 1.0),
    unit("万吨", UnitKind::Mass, 1e7),
    unit("吨", UnitKind::Mass, 1e3),
    unit("千克", UnitKind::Mass, 1.0),
    unit("公斤", UnitKind::Mass, 1.0),
    unit("斤", UnitKind::Mass, 0.5),
    unit("公里", UnitKind::Length, 1000.0),
    unit("千米", UnitKind::Length, 1000.0),
    unit("米", UnitKind::Length, 1.0),
    unit("万人", UnitKind::Persons, 1e4),
    unit("人", UnitKind::Persons, 1.0),
    unit("名", UnitKind::Persons, 1.0),
    unit("万户", UnitKind::Households, 1e4),
    unit("户", UnitKind::Households, 1.0),
    unit("个", UnitKind::Items, 1.0),
    unit("处", UnitKind::Items, 1.0),
    unit("所", UnitKind::Items, 1.0),
    unit("家", UnitKind::Items, 1.0),
    unit("万头", UnitKind::Livestock, 1e4),
    unit("头", UnitKind::Livestock, 1.0),
    unit("%", UnitKind::Percent, 1.0),
    unit("‰", UnitKind::Percent, 0.1),
];

fn known(spelling: &str) -> Option<&'static Known> {
    let spelling = spelling.trim();
    let spelling = match spelling {
        "百分比" | "百分点" | "％" => "%",
        "km2" | "km²" => "平方公里",
        "m2" | "m²" | "㎡" => "平方米",
        "kg" => "千克",
        "km" => "公里",
        other => other,
    };
    KNOWN.iter().find(|k| k.spelling == spelling)
}

/// The kind of a unit we know.
#[must_use]
pub fn kind_of(spelling: &str) -> Option<UnitKind> {
    known(spelling).map(|k| k.kind)
}

/// Whether we know the unit.
#[must_use]
pub fn is_unit(spelling: &str) -> bool {
    known(spelling).is_some()
}

/// What a value in `from` is multiplied by to be a value in `to`; `None` when the two measure
/// different things or one is unknown. Rounded to 12 significant digits so that 元 → 万元 is
/// exactly 0.0001.
#[must_use]
pub fn factor(from: &str, to: &str) -> Option<f64> {
    let (a, b) = (known(from)?, known(to)?);
    if a.kind != b.kind {
        return None;
    }
    let raw = a.size / b.size;
    let digits = 11 - raw.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits);
    Some((raw * scale).round() / scale)
}

/// The unit a name implies when none is written: 户数 counts households, 人数 and 人口 people,
/// 面积 an area, 收入 money. Used to refuse a match across kinds (低保户数 is not 低保人数).
#[must_use]
pub fn implied_kind(name: &str) -> Option<UnitKind> {
    const BY_ENDING: [(&str, UnitKind); 14] = [
        ("户数", UnitKind::Households),
        ("户", UnitKind::Households),
        ("人数", UnitKind::Persons),
        ("人口", UnitKind::Persons),
        ("人员", UnitKind::Persons),
        ("面积", UnitKind::Area),
        ("收入", UnitKind::Money),
        ("支出", UnitKind::Money),
        ("收益", UnitKind::Money),
        ("经费", UnitKind::Money),
        ("报酬", UnitKind::Money),
        ("产量", UnitKind::Mass),
        ("里程", UnitKind::Length),
        ("率", UnitKind::Percent),
    ];
    // 占总人口% and 占劳动力比重 are shares, whatever they are shares of.
    let share = name.ends_with('%')
        || name.ends_with('％')
        || (name.contains('占') && (name.ends_with("比重") || name.ends_with("比例")));
    if share {
        return Some(UnitKind::Percent);
    }
    let name = name.trim_end_matches(|c: char| c.is_ascii_punctuation() || "（）()".contains(c));
    BY_ENDING.iter().find(|(ending, _)| name.ends_with(ending)).map(|(_, kind)| *kind).or_else(|| {
        // 有村卫生室 is a yes/no, so 村卫生室医生人数 (people) is not it; 有效灌溉面积 is an area.
        let yes_no = name.contains("是否") || (name.starts_with('有') && !name.starts_with("有效"));
        yes_no.then_some(UnitKind::YesNo)
    })
}

/// A unit written at the end of a header, in brackets: 耕地面积（亩） is (耕地面积, 亩);
/// 收入(万元) likewise. Unknown bracketed text (其中：男) is left in the name.
#[must_use]
pub fn split_unit(header: &str) -> (String, Option<String>) {
    let text = header.trim();
    for (open, close) in [('（', '）'), ('(', ')'), ('[', ']'), ('【', '】')] {
        if let Some(inner) = text.strip_suffix(close) {
            if let Some(start) = inner.rfind(open) {
                let unit = inner[start + open.len_utf8()..].trim();
                let unit = unit.strip_prefix("单位：").or_else(|| unit.strip_prefix("单位:")).unwrap_or(unit);
                if is_unit(unit) {
                    return (inner[..start].trim().to_owned(), Some(canonical(unit)));
                }
            }
        }
    }
    (text.to_owned(), None)
}

/// The spelling we keep for a unit (％ and 百分比 are %).
#[must_use]
pub fn canonical(spelling: &str) -> String {
    known(spelling).map_or_else(|| spelling.trim().to_owned(), |k| k.spelling.to_owned())
}

/// The units a note row states: 单位：万元 (one for the whole form), 金额单位：元、面积单位：亩
/// (one per kind). Returns every unit found after a `单位` label.
#[must_use]
pub fn stated_in_note(note: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = note;
    while let Some(at) = rest.find("单位") {
        rest = &rest[at + "单位".len()..];
        let after = rest.trim_start_matches([':', '：', ' ', '\u{3000}']);
        let ends_there = |spelling: &str| {
            after[spelling.len()..].chars().next().is_none_or(|c| c.is_whitespace() || is_separator(c))
        };
        if let Some(found) = KNOWN.iter().find(|k| after.starts_with(k.spelling) && ends_there(k.spelling)) {
            out.push(found.spelling.to_owned());
        } else if after.starts_with('％') || after.starts_with("百分比") {
            out.push("%".to_owned());
        }
    }
    out
}

/// Punctuation that ends a unit in a note (金额单位：元、面积单位：亩).
fn is_separator(c: char) -> bool {
    c.is_ascii_punctuation() || "、，；。）".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_convert_within_a_kind_only() {
        assert_eq!(factor("元", "万元"), Some(0.0001));
        assert_eq!(factor("万元", "元"), Some(10000.0));
        assert_eq!(factor("公顷", "亩"), Some(15.0));
        assert_eq!(factor("平方公里", "亩"), Some(1500.0));
        assert_eq!(factor("吨", "公斤"), Some(1000.0));
        assert_eq!(factor("斤", "吨"), Some(0.0005));
        assert_eq!(factor("亩", "亩"), Some(1.0));
        assert_eq!(factor("人", "户"), None);
        assert_eq!(factor("户", "人"), None);
        assert_eq!(factor("元", "亩"), None);
        assert_eq!(factor("元", "斗"), None);
    }

    #[test]
    fn units_are_read_from_headers_and_notes() {
        assert_eq!(split_unit("耕地面积（亩）"), ("耕地面积".to_owned(), Some("亩".to_owned())));
        assert_eq!(split_unit("村集体经济收入(万元)"), ("村集体经济收入".to_owned(), Some("万元".to_owned())));
        assert_eq!(split_unit("老龄化率（％）"), ("老龄化率".to_owned(), Some("%".to_owned())));
        assert_eq!(split_unit("户籍人口（其中女）"), ("户籍人口（其中女）".to_owned(), None));
        assert_eq!(stated_in_note("填报单位：××镇    单位：万元"), vec!["万元"]);
        assert_eq!(stated_in_note("金额单位：元；面积单位：亩"), vec!["元", "亩"]);
        assert!(stated_in_note("填报单位：元宝村").is_empty(), "a village named 元宝 states no unit");
        assert_eq!(implied_kind("低保户数"), Some(UnitKind::Households));
        assert_eq!(implied_kind("低保人数"), Some(UnitKind::Persons));
        assert_eq!(implied_kind("通硬化路"), None);
    }
}

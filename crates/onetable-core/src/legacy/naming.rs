//! From a column's header cells to the names it may mean: 户籍人口 / 合计 is 户籍人口; 外出务工人数 /
//! 省外 is 省外务工人数 (the sub-column replaces the parent's qualifier); 其中：女 under 户籍人口 is
//! 户籍人口女. And the canonical form two wordings of one thing share (农村低保户数 and 低保户).

use crate::similarity::normalize;

/// Sub-column headers that mean "the parent itself".
const TOTAL_WORDS: [&str; 9] = ["合计", "小计", "总计", "计", "总数", "总量", "数量", "合", "人数"];

/// A sub-column that is a period (2023年, 2023年度, 1月, 第一季度): the parent, for that period.
fn is_period(text: &str) -> bool {
    let t = text.trim();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let rest: String = t.chars().skip(digits).collect();
    (digits == 4 && ["年", "年度", "年末", "年底"].contains(&rest.as_str()))
        || ((1..=2).contains(&digits) && rest == "月")
        || ["第一季度", "第二季度", "第三季度", "第四季度", "上半年", "下半年", "全年"].contains(&t)
}

/// The parent stands for itself under a total word or a period.
fn is_total(leaf: &str) -> bool {
    TOTAL_WORDS.contains(&leaf) || is_period(leaf)
}

/// Leading words that do not change what a village indicator counts.
const NOISE_PREFIXES: [&str; 20] = [
    "中共",
    "实际",
    "在岗",
    "设置",
    "建有",
    "拥有",
    "是否有",
    "是否",
    "村集体经济",
    "村集体",
    "农村",
    "全村",
    "本村",
    "村级",
    "村内",
    "年末",
    "年底",
    "现有",
    "当年",
    "其中",
];

/// Trailing words that do not change it either (after `normalize` took 数/人数/数量, so 总数 is
/// left as 总).
/// 对象 is who a programme serves: 低保对象 are the 低保 persons.
/// 人口 counts persons as 人数 does (`normalize` took that): 低保人口数 and 低保人数 are one.
const NOISE_SUFFIXES: [&str; 8] = ["情况", "合计", "总计", "总额", "总量", "对象", "人口", "总"];

/// The sub-column text without its 其中： lead or its section number (（一）, 二、, 3.).
fn strip_of_which(text: &str) -> &str {
    let t = strip_numbering(text.trim());
    for lead in ["其中：", "其中:", "其中"] {
        if let Some(rest) = t.strip_prefix(lead) {
            if !rest.trim().is_empty() {
                return rest.trim();
            }
        }
    }
    t
}

/// The text without what stands in brackets: 自然村（屯） → 自然村.
#[must_use]
pub fn without_brackets(text: &str) -> String {
    let mut depth = 0_u32;
    text.chars()
        .filter(|c| match c {
            '（' | '(' | '【' | '[' => {
                depth += 1;
                false
            }
            '）' | ')' | '】' | ']' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A header without its bracketed qualifier (党员人数（含预备党员） → 党员人数), when it has one.
#[must_use]
pub fn without_qualifier(text: &str) -> Option<String> {
    let plain = without_brackets(text);
    (plain != text.trim() && plain.chars().count() >= 2).then_some(plain)
}

/// A header that asks 是/否 in brackets (通客车（是/否）, 有无卫生室(有/无)), without the
/// brackets; none when it does not.
#[must_use]
pub fn without_yes_no(text: &str) -> Option<String> {
    const MARKS: [&str; 9] = ["是/否", "是否", "是或否", "有/无", "有无", "1是0否", "是=1,否=0", "Y/N", "y/n"];
    let t = text.trim();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(inner) = t.strip_suffix(close) {
            if let Some(start) = inner.rfind(open) {
                let mark: String = inner[start + open.len_utf8()..].chars().filter(|c| !c.is_whitespace()).collect();
                let mark = mark.replace('／', "/");
                if MARKS.contains(&mark.as_str()) {
                    return Some(inner[..start].trim().to_owned());
                }
            }
        }
    }
    None
}

/// A header without the number of its section or item: （一）基本情况, 一、人口, 3.耕地, (2)水田,
/// B3-2 低保户数 (an item code and a space).
#[must_use]
pub fn strip_numbering(text: &str) -> &str {
    const NUMERALS: &str = "一二三四五六七八九十0123456789";
    let mut t = text.trim();
    if let Some((code, rest)) = t.split_once(|c: char| c.is_whitespace()) {
        if is_field_code(code) && !rest.trim().is_empty() {
            t = rest.trim();
        }
    }
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(rest) = t.strip_prefix(open) {
            if let Some(end) = rest.find(close) {
                let inside = &rest[..end];
                if !inside.is_empty()
                    && inside.chars().all(|c| NUMERALS.contains(c))
                    && end + close.len_utf8() < rest.len()
                {
                    return rest[end + close.len_utf8()..].trim();
                }
            }
        }
    }
    let digits = t.chars().take_while(|c| NUMERALS.contains(*c)).count();
    let after: String = t.chars().skip(digits).collect();
    if digits > 0 {
        for mark in ['、', '.', '．'] {
            if after.starts_with(mark) {
                let skip: usize = t.chars().take(digits).map(char::len_utf8).sum::<usize>() + mark.len_utf8();
                if t.len() > skip {
                    return t[skip..].trim();
                }
            }
        }
    }
    t
}

/// A parent header that only groups (（一）基本情况, 主要指标): it says nothing of what its
/// columns count.
#[must_use]
pub fn is_section(text: &str) -> bool {
    let t = strip_numbering(text);
    let numbered = t.len() != text.trim().len();
    const GROUPS: [&str; 6] = ["基本情况", "基本信息", "主要指标", "有关情况", "指标", "情况"];
    GROUPS.iter().any(|g| t == *g || (numbered && t.ends_with(g)))
}

/// A field code some forms print under or before a header (B4, A12, B3-2): not a name.
#[must_use]
pub fn is_field_code(text: &str) -> bool {
    let t = text.trim();
    let mut chars = t.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && (2..=8).contains(&t.len())
        && t.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
        && t.chars().skip(1).all(|c| c.is_ascii_digit() || c == '-')
}

/// The names a header may mean, most likely first: one level is itself; a total under a parent is
/// the parent; a sub-column is tried in the parent's place of qualifier and after the parent.
#[must_use]
pub fn readings(path: &[String]) -> Vec<String> {
    let Some((leaf, parents)) = path.split_last() else { return Vec::new() };
    let leaf = strip_of_which(leaf);
    let Some(parent) = parents.last().map(|p| strip_of_which(p)) else { return vec![leaf.to_owned()] };
    if is_total(leaf) {
        return vec![parent.to_owned()];
    }
    let mut out = Vec::new();
    let chars: Vec<char> = parent.chars().collect();
    // 外出务工人数 / 省外 → 省外务工人数: the sub-column takes the place of the first one or two
    // characters of the parent (its qualifier).
    for cut in [2, 1, 0] {
        if chars.len() > cut + 1 {
            out.push(format!("{leaf}{}", chars[cut..].iter().collect::<String>()));
        }
    }
    out.push(format!("{parent}{leaf}"));
    if leaf.chars().count() >= 3 && !is_breakdown(parent) {
        out.push(leaf.to_owned());
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|name| seen.insert(name.clone()));
    out
}

/// A parent that splits something into bands (年龄分布, 文化程度构成, 按性别分): its sub-columns
/// (60岁以上, 初中及以下) are bands of that something, never things of their own.
fn is_breakdown(parent: &str) -> bool {
    let p = without_brackets(parent);
    ["分布", "构成", "结构"].iter().any(|w| p.ends_with(w)) || (p.starts_with('按') && p.ends_with('分'))
}

/// Readings only an exact name may confirm (too loose for similarity): a short qualifier inside
/// the parent, 户籍人口 / 男 → 户籍男性人口.
#[must_use]
pub fn inner_readings(path: &[String]) -> Vec<String> {
    let Some((leaf, parents)) = path.split_last() else { return Vec::new() };
    let leaf = strip_of_which(leaf);
    let Some(parent) = parents.last().map(|p| strip_of_which(p)) else { return Vec::new() };
    if is_total(leaf) || leaf.chars().count() > 2 {
        return Vec::new();
    }
    let chars: Vec<char> = parent.chars().collect();
    let qualifiers: Vec<String> = match leaf {
        "男" | "女" => vec![format!("{leaf}性"), leaf.to_owned()],
        _ => vec![leaf.to_owned()],
    };
    let mut out = Vec::new();
    for q in &qualifiers {
        for at in 1..chars.len() {
            let (head, tail) = chars.split_at(at);
            out.push(format!("{}{q}{}", head.iter().collect::<String>(), tail.iter().collect::<String>()));
        }
    }
    out
}

/// The parent a sub-column is one part of (户籍人口 for 户籍人口 / 女), none for a total or a
/// single level: a part is never its whole.
#[must_use]
pub fn whole_of_part(path: &[String]) -> Option<String> {
    let (leaf, parents) = path.split_last()?;
    let parent = strip_of_which(parents.last()?);
    (!is_total(strip_of_which(leaf))).then(|| parent.to_owned())
}

/// The name the analyzer shows: the first reading.
#[must_use]
pub fn cleaned(path: &[String]) -> String {
    let Some((leaf, parents)) = path.split_last() else { return String::new() };
    let leaf = strip_of_which(leaf);
    match parents.last().map(|p| strip_of_which(p)) {
        None => leaf.to_owned(),
        Some(parent) if is_total(leaf) => parent.to_owned(),
        Some(parent) => format!("{parent}（{leaf}）"),
    }
}

/// `normalize` without the words departments add around the same thing: 农村低保户数 and 低保户
/// are both 低保户; 是否通硬化路 and 通硬化路 are one.
#[must_use]
pub fn canonical(name: &str) -> String {
    let mut text = normalize(name);
    loop {
        let before = text.len();
        for prefix in NOISE_PREFIXES {
            if let Some(rest) = text.strip_prefix(prefix) {
                if rest.chars().count() >= 2 {
                    text = rest.to_owned();
                }
            }
        }
        // 书记主任是否一肩挑 asks the same as 书记主任一肩挑.
        if let Some(at) = text.find("是否").filter(|at| *at > 0) {
            text = format!("{}{}", &text[..at], &text[at + "是否".len()..]);
        }
        if let Some(rest) = text.strip_prefix('有') {
            if rest.chars().count() >= 2 && !rest.starts_with('效') {
                text = rest.to_owned();
            }
        }
        for suffix in NOISE_SUFFIXES {
            if let Some(rest) = text.strip_suffix(suffix) {
                if rest.chars().count() >= 2 {
                    text = normalize(rest);
                }
            }
        }
        if text.len() == before {
            return text;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn readings_of_multi_level_headers() {
        assert_eq!(readings(&path(&["户籍人口", "合计"])), vec!["户籍人口"]);
        assert_eq!(readings(&path(&["村集体经济收入", "2013年"])), vec!["村集体经济收入"]);
        assert_eq!(readings(&path(&["60岁以上", "人数"])), vec!["60岁以上"]);
        assert!(
            !readings(&path(&["其中：年龄分布（人）", "60岁以上"])).contains(&"60岁以上".to_owned()),
            "a band of something"
        );
        assert!(readings(&path(&["外出务工人数", "省外"])).contains(&"省外务工人数".to_owned()));
        assert!(readings(&path(&["户籍人口", "其中：女"])).contains(&"户籍人口女".to_owned()));
        assert_eq!(cleaned(&path(&["户籍人口", "其中：女"])), "户籍人口（女）");
        assert_eq!(readings(&path(&["其中：脱贫户数"])), vec!["脱贫户数"]);
        assert!(inner_readings(&path(&["户籍人口", "男"])).contains(&"户籍男性人口".to_owned()));
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical("农村低保户数"), canonical("低保户"));
        assert_eq!(canonical("是否通硬化路"), canonical("通硬化路"));
        assert_eq!(canonical("有村卫生室"), "村卫生室");
        assert_eq!(canonical("有效灌溉面积"), "有效灌溉面积");
        assert_eq!(canonical("村集体本年收益"), canonical("本年收益"));
        assert_eq!(canonical("党员人数"), canonical("党员总数"));
        assert_eq!(without_qualifier("党员人数（含预备党员）").as_deref(), Some("党员人数"));
        assert_eq!(without_qualifier("党员人数"), None);
        assert_eq!(without_yes_no("通客车（是/否）").as_deref(), Some("通客车"));
        assert_eq!(without_yes_no("是否通客车"), None);
        assert_eq!(strip_numbering("（一）基本情况"), "基本情况");
        assert_eq!(strip_numbering("二、人口"), "人口");
        assert_eq!(strip_numbering("3.耕地面积"), "耕地面积");
        assert_eq!(strip_numbering("60岁及以上人口"), "60岁及以上人口");
        assert_eq!(strip_numbering("（一）"), "（一）");
        assert!(is_section("（一）基本情况") && is_section("基本情况") && !is_section("低保情况"));
        assert!(is_field_code("B4") && is_field_code("B3-2") && !is_field_code("B") && !is_field_code("Bx"));
        assert_eq!(strip_numbering("B3-2 低保户数（户）"), "低保户数（户）");
        assert_eq!(canonical("低保对象"), canonical("农村低保人数"));
        assert_eq!(canonical("设置村卫生室"), canonical("有村卫生室"));
        assert_eq!(canonical("在岗乡村医生"), canonical("乡村医生人数"));
        assert_eq!(canonical("实际参保人数"), canonical("参保人数"));
        assert_eq!(canonical("书记主任是否一肩挑"), canonical("书记主任一肩挑"));
    }
}

//! From a column's header cells to the names it may mean: 户籍人口 / 合计 is 户籍人口; 外出务工人数 /
//! 省外 is 省外务工人数 (the sub-column replaces the parent's qualifier); 其中：女 under 户籍人口 is
//! 户籍人口女. And the canonical form two wordings of one thing share (农村低保户数 and 低保户).

use crate::similarity::normalize;

/// Sub-column headers that mean "the parent itself".
const TOTAL_WORDS: [&str; 8] = ["合计", "小计", "总计", "计", "总数", "总量", "数量", "合"];

/// Leading words that do not change what a village indicator counts.
const NOISE_PREFIXES: [&str; 14] = [
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
const NOISE_SUFFIXES: [&str; 6] = ["情况", "合计", "总计", "总额", "总量", "总"];

/// The sub-column text without its 其中： lead.
fn strip_of_which(text: &str) -> &str {
    let t = text.trim();
    for lead in ["其中：", "其中:", "其中"] {
        if let Some(rest) = t.strip_prefix(lead) {
            if !rest.trim().is_empty() {
                return rest.trim();
            }
        }
    }
    t
}

/// The names a header may mean, most likely first: one level is itself; a total under a parent is
/// the parent; a sub-column is tried in the parent's place of qualifier and after the parent.
#[must_use]
pub fn readings(path: &[String]) -> Vec<String> {
    let Some((leaf, parents)) = path.split_last() else { return Vec::new() };
    let leaf = strip_of_which(leaf);
    let Some(parent) = parents.last().map(|p| strip_of_which(p)) else { return vec![leaf.to_owned()] };
    if TOTAL_WORDS.contains(&leaf) {
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
    if leaf.chars().count() >= 3 {
        out.push(leaf.to_owned());
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|name| seen.insert(name.clone()));
    out
}

/// Readings only an exact name may confirm (too loose for similarity): a short qualifier inside
/// the parent, 户籍人口 / 男 → 户籍男性人口.
#[must_use]
pub fn inner_readings(path: &[String]) -> Vec<String> {
    let Some((leaf, parents)) = path.split_last() else { return Vec::new() };
    let leaf = strip_of_which(leaf);
    let Some(parent) = parents.last().map(|p| strip_of_which(p)) else { return Vec::new() };
    if TOTAL_WORDS.contains(&leaf) || leaf.chars().count() > 2 {
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
    (!TOTAL_WORDS.contains(&strip_of_which(leaf))).then(|| parent.to_owned())
}

/// The name the analyzer shows: the first reading.
#[must_use]
pub fn cleaned(path: &[String]) -> String {
    let Some((leaf, parents)) = path.split_last() else { return String::new() };
    let leaf = strip_of_which(leaf);
    match parents.last().map(|p| strip_of_which(p)) {
        None => leaf.to_owned(),
        Some(parent) if TOTAL_WORDS.contains(&leaf) => parent.to_owned(),
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
    }
}

//! What a column's header alone does not say. The form's title gives a short header its subject
//! (实际参保人数 in 城乡居民养老保险参保情况统计表 is 城乡居民养老保险参保人数); a form about towns
//! (城市低保对象) never asks for a rural indicator; and the registry's own aliases show which
//! wordings mean the same (an alias 在岗乡村医生 of 乡村医生人数 teaches that 在岗 changes nothing).

use super::known::Known;
use super::naming::{canonical, whole_of_part};

/// Words that end a form's title without saying what it counts.
const TITLE_ENDINGS: [&str; 12] =
    ["统计表", "一览表", "情况表", "调查表", "汇总表", "登记表", "明细表", "花名册", "台账", "报表", "表", "情况"];

/// Wordings a department uses for a registry word, on canonical names (both sides already
/// stripped of 有/是否/农村 and of 数/人数): 设置 a clinic is having one.
const SYNONYMS: [(&str, &str); 10] = [
    ("村医", "乡村医生"),
    ("卫生所", "卫生室"),
    ("医务室", "卫生室"),
    ("网格管理员", "网格员"),
    // 60岁以上 is read as 60 and over in population tables.
    ("岁以上", "岁及以上"),
    ("周岁", "岁"),
    ("人口户", "户"),
    ("总面积", "面积"),
    ("债务", "负债"),
    // 五保 is the old name of rural 特困供养.
    ("五保", "特困供养"),
];

/// Bare totals of a village form, and what they count there: village statistics count by 户籍
/// unless they say otherwise (人口统计报表制度: 统计口径为户籍人口), so 户数 and 总人口 alone are
/// the registered figures. On canonical names, whole names only.
const BARE_TOTALS: [(&str, &str); 10] = [
    ("户数", "户籍户数"),
    ("总户数", "户籍户数"),
    ("农户数", "户籍户数"),
    ("人口数", "户籍人口"),
    ("总人口", "户籍人口"),
    ("总面积", "国土面积"),
    ("辖区面积", "国土面积"),
    ("辖区总面积", "国土面积"),
    ("收入", "村集体经济总收入"),
    ("集体收入", "村集体经济总收入"),
];

/// One form's context for matching its columns.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// What the title says the form is about, without its year, place and 统计表.
    subject: Option<String>,
    /// The form is about towns (城市, 城镇) and not about villages.
    urban: bool,
    /// (a department's wording, the registry's), on canonical names.
    rewrites: Vec<(String, String)>,
}

impl Context {
    /// The context of a form with these title rows over this registry.
    #[must_use]
    pub fn new(title_rows: &[String], registry: &[Known]) -> Self {
        let title = title_rows.first().map(String::as_str).unwrap_or_default();
        let mut rewrites: Vec<(String, String)> =
            SYNONYMS.iter().map(|(from, to)| ((*from).to_owned(), (*to).to_owned())).collect();
        for known in registry {
            for alias in &known.aliases {
                if let Some(pair) = learned(&canonical(alias), &canonical(&known.name)) {
                    if !rewrites.contains(&pair) {
                        rewrites.push(pair);
                    }
                }
            }
        }
        Self { subject: subject(title), urban: is_urban(title), rewrites }
    }

    /// Whether the indicator is out of the column's reach: a rural indicator (农村…) for a
    /// column of a form about towns, unless the column itself says 农村.
    #[must_use]
    pub fn excludes(&self, known: &Known, path: &[String]) -> bool {
        let said = path.concat();
        let urban = (self.urban && !mentions_rural(&said)) || is_urban(&said);
        urban && mentions_rural(&known.name)
    }

    /// The reading with the title's subject before it, where the two share a word
    /// (城乡居民养老保险参保 + 参保人数): a header that repeats the end of the title means it.
    #[must_use]
    pub fn with_subject(&self, reading: &str) -> Option<String> {
        let subject = self.subject.as_deref()?;
        let reading: Vec<char> = reading.chars().collect();
        let overlap =
            (2..=reading.len()).rev().find(|k| subject.ends_with(&reading[..*k].iter().collect::<String>()))?;
        Some(format!("{subject}{}", reading[overlap..].iter().collect::<String>()))
    }

    /// The canonical name as the registry would word it, each learned or known rewrite applied.
    #[must_use]
    pub fn rewritten(&self, canonical_name: &str) -> Vec<String> {
        self.rewrites
            .iter()
            .filter(|(from, _)| !from.is_empty() && canonical_name.contains(from.as_str()))
            .map(|(from, to)| canonical_name.replacen(from.as_str(), to, 1))
            .filter(|name| name.chars().count() >= 2)
            .collect()
    }

    /// What a header of one level that is a bare total (户数, 总人口) counts in a village form.
    /// Under a parent, the parent says what it counts.
    #[must_use]
    pub fn bare_total(path: &[String], canonical_name: &str) -> Option<String> {
        if whole_of_part(path).is_some() {
            return None;
        }
        BARE_TOTALS.iter().find(|(bare, _)| canonical(bare) == canonical_name).map(|(_, full)| canonical(full))
    }
}

fn mentions_rural(text: &str) -> bool {
    ["农村", "乡村", "城乡", "村级", "行政村"].iter().any(|w| text.contains(w))
}

fn is_urban(text: &str) -> bool {
    (text.contains("城市") || text.contains("城镇")) && !mentions_rural(text)
}

/// 2021年7月城市低保对象综合统计表 → 城市低保对象综合; 沙田村城乡居民养老保险参保情况统计表 →
/// 城乡居民养老保险参保. None when nothing is left.
fn subject(title: &str) -> Option<String> {
    let mut text: String = title.chars().filter(|c| !c.is_whitespace()).collect();
    // A leading date: 2023年, 2023年12月, 2023年度.
    if let Some(at) = text.find('年') {
        if text[..at].chars().all(|c| c.is_ascii_digit()) && at > 0 {
            text = text[at + '年'.len_utf8()..].trim_start_matches('度').to_owned();
            let month_end = text.find('月').filter(|m| text[..*m].chars().all(|c| c.is_ascii_digit()) && *m > 0);
            if let Some(m) = month_end {
                text = text[m + '月'.len_utf8()..].to_owned();
            }
        }
    }
    // A leading village name: 沙田村… (two to four characters ending in 村, not 农村 or 乡村).
    let chars: Vec<char> = text.chars().collect();
    if let Some(at) = chars.iter().take(5).position(|c| *c == '村') {
        let place: String = chars[..=at].iter().collect();
        if at >= 1 && !["农村", "乡村"].contains(&place.as_str()) && !place.ends_with("农村") {
            text = chars[at + 1..].iter().collect();
        }
    }
    loop {
        let before = text.len();
        for ending in TITLE_ENDINGS {
            if let Some(rest) = text.strip_suffix(ending) {
                text = rest.to_owned();
            }
        }
        if text.len() == before {
            break;
        }
    }
    (text.chars().count() >= 2).then_some(text)
}

/// The rewrite an alias teaches: the two canonical names share a start and an end of at least two
/// characters between them, and differ in a short middle (在岗乡村医生 / 乡村医生 → 在岗 is
/// nothing). None when they are the same or differ in more than a word.
fn learned(alias: &str, name: &str) -> Option<(String, String)> {
    let (a, n): (Vec<char>, Vec<char>) = (alias.chars().collect(), name.chars().collect());
    let prefix = a.iter().zip(&n).take_while(|(x, y)| x == y).count();
    let room = a.len().min(n.len()) - prefix;
    let suffix = a.iter().rev().zip(n.iter().rev()).take(room).take_while(|(x, y)| x == y).count();
    let (from, to): (String, String) =
        (a[prefix..a.len() - suffix].iter().collect(), n[prefix..n.len() - suffix].iter().collect());
    let short = from.chars().count() <= 3 && to.chars().count() <= 3;
    (prefix + suffix >= 2 && short && !from.is_empty() && from != to).then_some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str, aliases: &[&str]) -> Known {
        Known {
            code: "X".to_owned(),
            name: name.to_owned(),
            unit: String::new(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            derived: false,
            yes_no: false,
            share_of: None,
        }
    }

    #[test]
    fn the_subject_of_a_title() {
        assert_eq!(subject("2021年7月城市低保对象综合统计表").as_deref(), Some("城市低保对象综合"));
        assert_eq!(subject("沙田村城乡居民养老保险参保情况统计表").as_deref(), Some("城乡居民养老保险参保"));
        assert_eq!(subject("农村居民最低生活保障统计表").as_deref(), Some("农村居民最低生活保障"));
        assert_eq!(subject("（2025年度）"), Some("（2025年度）".to_owned()));
        assert_eq!(subject("统计表"), None);
    }

    #[test]
    fn a_header_that_repeats_the_titles_end() {
        let context = Context::new(&["沙田村城乡居民养老保险参保情况统计表".to_owned()], &[]);
        assert_eq!(context.with_subject("参保人数").as_deref(), Some("城乡居民养老保险参保人数"));
        assert_eq!(context.with_subject("参保").as_deref(), Some("城乡居民养老保险参保"));
        assert_eq!(context.with_subject("户数"), None, "nothing shared, nothing joined");
    }

    #[test]
    fn towns_are_not_villages() {
        let context = Context::new(&["2021年7月城市低保对象综合统计表".to_owned()], &[]);
        let rural = known("农村低保户数", &[]);
        assert!(context.excludes(&rural, &["低保户数(户)".to_owned()]));
        assert!(!context.excludes(&rural, &["农村低保户数".to_owned()]));
        let plain = Context::new(&["农村居民最低生活保障统计表".to_owned()], &[]);
        assert!(!plain.excludes(&rural, &["低保户数".to_owned()]));
        assert!(plain.excludes(&rural, &["城市低保户数".to_owned()]));
    }

    #[test]
    fn aliases_teach_rewrites() {
        assert_eq!(learned("在岗乡村医生", "乡村医生"), Some(("在岗".to_owned(), String::new())));
        assert_eq!(learned("村卫生所", "村卫生室"), Some(("所".to_owned(), "室".to_owned())));
        assert_eq!(learned("乡村医生", "乡村医生"), None);
        assert_eq!(learned("低保户", "耕地面积"), None, "nothing shared");
        let context = Context::new(&[], &[known("村两委成员数", &["村两委干部数"])]);
        let one = |h: &str| vec![h.to_owned()];
        assert_eq!(Context::bare_total(&one("户数"), &canonical("户数")), Some(canonical("户籍户数")));
        assert_eq!(Context::bare_total(&one("总人口"), &canonical("总人口")), Some(canonical("户籍人口")));
        let under = vec!["合计".to_owned(), "户数".to_owned()];
        assert_eq!(Context::bare_total(&under, &canonical("户数")), None, "a parent says what it counts");
        assert!(context.rewritten(&canonical("村两委干部")).contains(&canonical("村两委成员")));
    }
}

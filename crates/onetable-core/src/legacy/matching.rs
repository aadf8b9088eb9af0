//! Which registry indicator a form's column asks for: an alias or the exact name first, then the
//! canonical name, then character similarity — never across kinds of unit (a 户 column is not a
//! 人 indicator), and with the factor that converts the form's unit to the registry's.

use serde::Serialize;

use super::context::Context;
pub use super::known::{share_of, Known};
use super::naming::{canonical, inner_readings, readings, whole_of_part, without_qualifier};
use super::units::{self, UnitKind};
use crate::similarity::{normalize, similarity};

/// A share written as its two parts: 60岁以上 / 占总人口%, or 党员占户籍人口比重: (part, whole).
fn share_parts(path: &[String]) -> Option<(Vec<String>, String)> {
    let endings = ["的比重", "的比例", "比重", "比例", "%", "％"];
    let trim = |t: &str| {
        let mut t = t.trim().to_owned();
        for e in endings {
            if let Some(rest) = t.strip_suffix(e) {
                t = rest.to_owned();
            }
        }
        t
    };
    let (leaf, parents) = path.split_last()?;
    if let Some(whole) = leaf.trim().strip_prefix('占') {
        return (!parents.is_empty()).then(|| (parents.to_vec(), trim(whole)));
    }
    let (part, whole) = leaf.split_once('占')?;
    (part.chars().count() >= 2).then(|| (vec![part.to_owned()], trim(whole)))
}

/// What the form says of a column besides its name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Column<'a> {
    /// The unit it states (in the header, a unit row or a 单位 note).
    pub unit: Option<&'a str>,
    /// Its header asks 是/否.
    pub yes_no: bool,
}

/// Why a column maps to an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A name departments use, confirmed before (别名).
    Alias,
    /// The registry's own name.
    ExactName,
    /// The same name once words that change nothing are removed (农村低保户数 = 低保户).
    NormalisedName,
    /// Similar characters, above the threshold and clearly ahead of the next indicator.
    Similarity,
}

/// A column's indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub derived: bool,
    /// 0–1.
    pub confidence: f64,
    pub reason: Reason,
    /// A value in the form's unit times this is the value in the registry's unit (元 → 万元 is
    /// 0.0001); 1 when the form states no unit.
    pub factor: f64,
}

/// An indicator a column may mean, for a person to choose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub score: f64,
}

/// A similarity at least this high, and this far ahead of the next indicator, is a match.
pub const MATCH_THRESHOLD: f64 = 0.75;
pub const MATCH_MARGIN: f64 = 0.1;
/// Or, when the column's kind of unit is known and the indicator's is the same, a similarity this
/// high that is this far ahead of the next: the top candidate standing alone.
const LEAD_THRESHOLD: f64 = 0.6;
const LEAD_MARGIN: f64 = 0.25;
/// Candidates shown for a column with no match score at least this.
const CANDIDATE_FLOOR: f64 = 0.3;

fn unit_kind(unit: &str, name: &str) -> Option<UnitKind> {
    units::kind_of(unit).or_else(|| if unit.is_empty() { units::implied_kind(name) } else { None })
}

fn known_kind(known: &Known) -> Option<UnitKind> {
    if known.yes_no {
        Some(UnitKind::YesNo)
    } else {
        unit_kind(&known.unit, &known.name)
    }
}

/// The factor from the column's unit to the indicator's, or `None` when they measure different
/// things (人 against 户, 元 against 亩, a count against a yes/no).
fn conversion(column_unit: Option<&str>, column_kind: Option<UnitKind>, known: &Known) -> Option<f64> {
    let known_kind = known_kind(known);
    if column_kind.is_some() && known_kind.is_some() && column_kind != known_kind {
        return None;
    }
    match (column_unit, column_kind, known_kind) {
        (Some(from), _, _) if !known.unit.is_empty() && units::is_unit(&known.unit) => units::factor(from, &known.unit),
        (_, Some(a), Some(b)) if a != b => None,
        _ => Some(1.0),
    }
}

/// The factor from a column's unit to an indicator's (a value in the column's unit times it is
/// the indicator's); none when they measure different things (人 and 户).
#[must_use]
pub fn factor_to(unit: Option<&str>, known: &Known) -> Option<f64> {
    conversion(unit, unit.and_then(units::kind_of), known)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A test one tier of exact matching applies to each registry entry.
type KnownTest<'a> = dyn Fn(&Known) -> bool + 'a;

/// Maps one column. `path` is its header cells top to bottom, `unit` the unit the form states for
/// it (in the header or a 单位 row).
#[must_use]
pub fn match_column(path: &[String], unit: Option<&str>, registry: &[Known]) -> (Option<Found>, Vec<Candidate>) {
    match_in(path, Column { unit, yes_no: false }, registry, &Context::default())
}

/// The names a column may mean: its readings, and each without a bracketed qualifier
/// (党员人数（含预备党员） is 党员人数).
fn names_of(path: &[String]) -> Vec<String> {
    let mut names = readings(path);
    let plain: Vec<String> = path.iter().map(|p| without_qualifier(p).unwrap_or_else(|| p.clone())).collect();
    if plain != path {
        names.extend(readings(&plain));
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

/// One column as the matcher asks about it.
struct Asked<'a> {
    path: &'a [String],
    unit: Option<&'a str>,
    /// What its unit, its 是/否 or its name says it measures.
    kind: Option<UnitKind>,
    /// Its readings, most likely first.
    names: Vec<String>,
    context: &'a Context,
}

impl<'a> Asked<'a> {
    fn new(path: &'a [String], column: Column<'a>, context: &'a Context) -> Self {
        let names = names_of(path);
        let kind = if column.yes_no {
            Some(UnitKind::YesNo)
        } else {
            // The lowest header cell is the most particular: 18岁以下 / 占总人口% is a share.
            let leaf_kind = path.last().and_then(|leaf| units::implied_kind(leaf));
            column
                .unit
                .and_then(units::kind_of)
                .or(leaf_kind)
                .or_else(|| names.first().and_then(|n| units::implied_kind(n)))
        };
        Self { path, unit: column.unit, kind, names, context }
    }

    /// Whether the indicator can be this column at all: same kind of unit, within the form's reach.
    fn reaches(&self, known: &Known) -> bool {
        conversion(self.unit, self.kind, known).is_some() && !self.context.excludes(known, self.path)
    }

    fn found(&self, known: &Known, confidence: f64, reason: Reason) -> Option<Found> {
        if self.context.excludes(known, self.path) {
            return None;
        }
        conversion(self.unit, self.kind, known).map(|factor| Found {
            code: known.code.clone(),
            name: known.name.clone(),
            unit: known.unit.clone(),
            derived: known.derived,
            confidence,
            reason,
            factor,
        })
    }
}

/// Maps one column of a form in its context (title, registry's rewrites).
#[must_use]
pub fn match_in(
    path: &[String],
    column: Column,
    registry: &[Known],
    context: &Context,
) -> (Option<Found>, Vec<Candidate>) {
    let asked = Asked::new(path, column, context);
    if let Some(answer) = by_name(&asked, registry) {
        return answer;
    }
    // A share of two things the registry has is the registry's share of them, if it keeps one.
    if asked.kind == Some(UnitKind::Percent) {
        if let Some(found) =
            share_match(path, registry, context).and_then(|k| asked.found(k, 0.9, Reason::NormalisedName))
        {
            return (Some(found), Vec::new());
        }
    }
    by_similarity(&asked, registry)
}

/// The tiers of names: an alias, the registry's name, the same name in other words. One hit is
/// the match; several are the candidates; none, the similarity's turn.
fn by_name(asked: &Asked, registry: &[Known]) -> Option<(Option<Found>, Vec<Candidate>)> {
    let (path, context) = (asked.path, asked.context);
    let mut exact: Vec<String> = asked.names.iter().cloned().chain(inner_readings(path)).collect();
    // The title speaks for a header of its own, not for a sub-column: that one's parent does.
    if whole_of_part(path).is_none() {
        exact.extend(asked.names.iter().filter_map(|n| context.with_subject(&canonical(n))));
    }
    let normalized: Vec<String> = exact.iter().map(|n| normalize(n)).collect();
    let mut exact_canonicals: Vec<String> = exact.iter().map(|n| canonical(n)).collect();
    let rewritten: Vec<String> = exact_canonicals
        .iter()
        .flat_map(|c| context.rewritten(c).into_iter().chain(Context::bare_total(path, c)))
        .collect();
    exact_canonicals.extend(rewritten);
    let tiers: [(Reason, f64, &KnownTest); 3] = [
        (Reason::Alias, 1.0, &|k: &Known| k.aliases.iter().any(|a| normalized.contains(&normalize(a)))),
        (Reason::ExactName, 1.0, &|k: &Known| normalized.contains(&normalize(&k.name))),
        (Reason::NormalisedName, 0.9, &|k: &Known| {
            exact_canonicals.contains(&canonical(&k.name))
                || k.aliases.iter().any(|a| exact_canonicals.contains(&canonical(a)))
        }),
    ];
    for (reason, confidence, test) in tiers {
        let hits: Vec<Found> =
            registry.iter().filter(|k| test(k)).filter_map(|k| asked.found(k, confidence, reason)).collect();
        if hits.len() == 1 {
            return Some((hits.into_iter().next(), Vec::new()));
        }
        if hits.len() > 1 {
            let candidates = hits
                .iter()
                .map(|h| Candidate {
                    code: h.code.clone(),
                    name: h.name.clone(),
                    unit: h.unit.clone(),
                    score: confidence,
                })
                .collect();
            return Some((None, candidates));
        }
    }
    None
}

/// Character similarity: the top indicator when it is clearly ahead and says no more than the
/// column, else up to three candidates.
fn by_similarity(asked: &Asked, registry: &[Known]) -> (Option<Found>, Vec<Candidate>) {
    let names = &asked.names;
    let canonicals: Vec<String> = names.iter().map(|n| canonical(n)).collect();
    let whole = whole_of_part(asked.path).map(|w| canonical(&w));
    let mut scored: Vec<(f64, &Known)> = registry
        .iter()
        .map(|k| {
            let targets = std::iter::once(&k.name).chain(k.aliases.iter());
            let best =
                targets.flat_map(|t| canonicals.iter().map(move |c| similarity(c, &canonical(t)))).fold(0.0, f64::max);
            (best, k)
        })
        .filter(|(score, _)| *score >= CANDIDATE_FLOOR)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
    let convertible: Vec<&(f64, &Known)> = scored.iter().filter(|(_, k)| asked.reaches(k)).collect();
    // A part that reads most like its whole (60岁及以上人口 / 其中：独居) is something new, not the
    // whole and not the whole's nearest neighbour.
    let is_whole = |k: &Known| whole.as_ref().is_some_and(|w| *w == canonical(&k.name));
    // Two things joined (乡村医生和卫生员, 男、女) are their sum: only a name that says so exactly
    // (发包及上交收入, by name) is one indicator.
    if names.first().is_some_and(|n| is_compound(n)) {
        return (None, candidates_of(&convertible, &|_| false));
    }
    // A similar name whose every word is in the indicator's (耕地 for 耕地面积, 县外省内务工 for
    // 省内县外务工人数) may be it; one that says something else (缺水灌溉面积 for 有效灌溉面积) or
    // more (女性劳动力 for 劳动力) is not.
    let says_less = |k: &Known| {
        std::iter::once(&k.name)
            .chain(k.aliases.iter())
            .any(|t| canonicals.iter().any(|c| nothing_more(c, &normalize(t))))
    };
    if let Some((best, known)) = convertible.first().filter(|(_, k)| !is_whole(k) && says_less(k)) {
        let next = convertible.get(1).map_or(0.0, |(s, _)| *s);
        // The unit and the name must agree with each other too: 低保人数 in 户 is a slip, not a lead.
        let named_kind = names.first().and_then(|n| units::implied_kind(n));
        let same_kind =
            asked.kind.is_some() && asked.kind == known_kind(known) && named_kind.is_none_or(|k| Some(k) == asked.kind);
        let alone = same_kind && *best >= LEAD_THRESHOLD && best - next >= LEAD_MARGIN;
        if (*best >= MATCH_THRESHOLD && best - next >= MATCH_MARGIN) || alone {
            return (asked.found(known, round2(best * 0.9), Reason::Similarity), Vec::new());
        }
    }
    (None, candidates_of(&convertible, &is_whole))
}

fn share_match<'a>(path: &[String], registry: &'a [Known], context: &Context) -> Option<&'a Known> {
    let (part, whole) = share_parts(path)?;
    let plain = Column::default();
    let part = match_in(&part, plain, registry, context).0?.code;
    let whole = match_in(&[whole], plain, registry, context).0?.code;
    registry.iter().find(|k| k.share_of.as_ref().is_some_and(|(a, b)| *a == part && *b == whole))
}

/// The first three indicators a person may choose from, best first.
fn candidates_of(scored: &[&(f64, &Known)], leave_out: &dyn Fn(&Known) -> bool) -> Vec<Candidate> {
    scored
        .iter()
        .filter(|(_, k)| !leave_out(k))
        .take(3)
        .map(|(score, k)| Candidate {
            code: k.code.clone(),
            name: k.name.clone(),
            unit: k.unit.clone(),
            score: round2(*score),
        })
        .collect()
}

/// Whether every character of `column` is in `indicator`, but for words that add nothing (每个
/// 网格 is 每网格).
fn nothing_more(column: &str, indicator: &str) -> bool {
    const FILLER: &str = "个的之";
    column.chars().all(|c| indicator.contains(c) || FILLER.contains(c))
}

/// Whether a name joins two things with 和, 与, 、 or 及 (及以上 and 普及 join nothing).
fn is_compound(name: &str) -> bool {
    let joined_by_ji = name.match_indices('及').any(|(at, _)| {
        let after = &name[at + '及'.len_utf8()..];
        let before = &name[..at];
        !after.starts_with("以") && !before.ends_with('普')
    });
    name.contains('和') || name.contains('与') || name.contains('、') || joined_by_ji
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(code: &str, name: &str, unit: &str) -> Known {
        Known {
            code: code.to_owned(),
            name: name.to_owned(),
            unit: unit.to_owned(),
            aliases: Vec::new(),
            derived: false,
            yes_no: false,
            share_of: None,
        }
    }

    fn registry() -> Vec<Known> {
        let mut households = known("POP.HOUSEHOLDS", "户籍户数", "户");
        households.aliases.push("总户数".to_owned());
        vec![
            households,
            known("POP.REGISTERED", "户籍人口", "人"),
            known("SOC.DIBAO_HOUSEHOLDS", "农村低保户数", "户"),
            known("SOC.DIBAO_PERSONS", "农村低保人数", "人"),
            known("LAND.CULTIVATED_MU", "耕地面积", "亩"),
            known("ECO.COLLECTIVE_TOTAL_INCOME", "村集体经济总收入", "万元"),
            known("LAB.MIGRANT_OUT_OF_PROVINCE", "省外务工人数", "人"),
        ]
    }

    fn code_of(path: &[&str], unit: Option<&str>) -> Option<(String, Reason, f64)> {
        let path: Vec<String> = path.iter().map(|p| (*p).to_owned()).collect();
        match_column(&path, unit, &registry()).0.map(|f| (f.code, f.reason, f.factor))
    }

    #[test]
    fn tiers_and_factors() {
        assert_eq!(code_of(&["总户数"], None), Some(("POP.HOUSEHOLDS".into(), Reason::Alias, 1.0)));
        assert_eq!(code_of(&["户籍人口", "合计"], Some("人")), Some(("POP.REGISTERED".into(), Reason::ExactName, 1.0)));
        assert_eq!(code_of(&["低保户"], None), Some(("SOC.DIBAO_HOUSEHOLDS".into(), Reason::NormalisedName, 1.0)));
        assert_eq!(
            code_of(&["村集体经济总收入"], Some("元")),
            Some(("ECO.COLLECTIVE_TOTAL_INCOME".into(), Reason::ExactName, 0.0001))
        );
        assert_eq!(code_of(&["耕地面积"], Some("公顷")), Some(("LAND.CULTIVATED_MU".into(), Reason::ExactName, 15.0)));
        assert_eq!(
            code_of(&["外出务工人数", "省外"], None),
            Some(("LAB.MIGRANT_OUT_OF_PROVINCE".into(), Reason::ExactName, 1.0))
        );
    }

    #[test]
    fn a_share_is_the_registrys_share_of_its_parts() {
        assert_eq!(
            share_of("POP.AGED_60 / POP.REGISTERED * 100"),
            Some(("POP.AGED_60".into(), "POP.REGISTERED".into()))
        );
        assert_eq!(share_of("POP.RESIDENT / ORG.GRIDS"), None);
        let mut registry =
            vec![known("POP.AGED_60", "60岁及以上人口", "人"), known("POP.REGISTERED", "户籍人口", "人")];
        let mut rate = known("DER.AGEING_RATE", "老龄化率", "%");
        rate.share_of = share_of("POP.AGED_60 / POP.REGISTERED * 100");
        registry.push(rate);
        let path = vec!["60岁及以上人口".to_owned(), "占户籍人口%".to_owned()];
        let (found, _) = match_in(&path, Column::default(), &registry, &Context::default());
        assert_eq!(found.map(|f| f.code).as_deref(), Some("DER.AGEING_RATE"));
        let path = vec!["60岁及以上人口".to_owned(), "占常住人口%".to_owned()];
        assert!(
            match_in(&path, Column::default(), &registry, &Context::default()).0.is_none(),
            "not the registry's share"
        );
    }

    #[test]
    fn a_part_is_not_its_whole() {
        assert_eq!(code_of(&["户籍人口", "其中：残疾人"], Some("人")), None);
    }

    #[test]
    fn never_across_kinds_of_unit() {
        assert_eq!(code_of(&["低保人数"], Some("户")), None, "a household count is not a person count");
        assert_eq!(code_of(&["耕地面积"], Some("人")), None);
        let clinic = vec![known("SVC.CLINIC", "有村卫生室", "")];
        let path = vec!["村卫生室医生人数".to_owned()];
        assert!(match_column(&path, None, &clinic).0.is_none(), "a count of people is not a yes/no");
        assert!(match_column(&["是否有村卫生室".to_owned()], None, &clinic).0.is_some());
        let path = vec!["村卫生室医生数".to_owned()];
        let (found, candidates) = match_column(&path, None, &registry());
        assert!(found.is_none());
        assert!(candidates.len() <= 3);
    }
}

//! The duplicate guard's text rules: name normalisation and character-bigram similarity.

use std::collections::HashSet;

/// Trailing words that do not change what an indicator counts (低保户**数** = 低保户).
const NOISE_SUFFIXES: [&str; 3] = ["数量", "人数", "数"];

/// Full-width to half-width, lower case, no whitespace or punctuation, no trailing 数/数量/人数.
#[must_use]
pub fn normalize(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && !is_punctuation(*c))
        .flat_map(char::to_lowercase)
        .collect();
    for suffix in NOISE_SUFFIXES {
        if out.len() > suffix.len() && out.ends_with(suffix) {
            out.truncate(out.len() - suffix.len());
            break;
        }
    }
    out
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || "、，。．（）【】《》〈〉「」『』“”‘’：；！？·—…～".contains(c)
}

/// The name with the unit removed from its end, when the unit is written into it
/// (耕地面积（亩） with unit 亩 is 耕地面积).
#[must_use]
pub fn name_without_unit(name: &str, unit: &str) -> String {
    let name = normalize(name);
    let unit = normalize(unit);
    match name.strip_suffix(unit.as_str()) {
        Some(stripped) if !unit.is_empty() && !stripped.is_empty() => normalize(stripped),
        _ => name,
    }
}

fn bigrams(text: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() == 1 {
        return HashSet::from([(chars[0], ' ')]);
    }
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Dice coefficient of the two normalised names' character bigrams, 0 to 1.
#[must_use]
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (bigrams(&normalize(a)), bigrams(&normalize(b)));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(&b).count();
    #[allow(clippy::cast_precision_loss)]
    let score = 2.0 * shared as f64 / (a.len() + b.len()) as f64;
    score
}

/// Names at least this similar are reported as near duplicates (warnings, not refusals). 0.5 flags
/// 低保人数/低保对象人数 (0.5) and 耕地面积/有效耕地面积 (0.75) while leaving 水田面积/旱地面积
/// (0.33) alone; `docs/decisions.md` has the scores over the reference catalogue.
pub const NEAR_DUPLICATE_THRESHOLD: f64 = 0.5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(normalize("户籍 人口"), "户籍人口");
        assert_eq!(normalize("ＰＯＰ　人口（合计）"), "pop人口合计");
        assert_eq!(normalize("低保户数"), "低保户");
        assert_eq!(normalize("低保户数量"), "低保户");
        assert_eq!(normalize("党员人数"), "党员");
        assert_eq!(normalize("数"), "数", "a name is never emptied");
        assert_eq!(name_without_unit("耕地面积（亩）", "亩"), "耕地面积");
    }

    #[test]
    fn similarity_scores() {
        assert!((similarity("低保户数", "低保户数量") - 1.0).abs() < 1e-9);
        assert!(similarity("低保人数", "低保对象人数") >= NEAR_DUPLICATE_THRESHOLD);
        assert!(similarity("耕地面积", "有效耕地面积") >= NEAR_DUPLICATE_THRESHOLD);
        assert!(similarity("水田面积", "旱地面积") < NEAR_DUPLICATE_THRESHOLD);
    }
}
